"""Whether the article gives what a question needs."""

from __future__ import annotations

NOT_COVERED_LEAD = "The article doesn't "


def says_not_covered(text: str) -> bool:
    """True when a reply opens by saying the article does not give what was asked."""
    return text.lstrip("#* ").startswith(NOT_COVERED_LEAD)
