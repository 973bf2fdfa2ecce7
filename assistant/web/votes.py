"""The id of a reply the server issued, as a like or dislike sends it back in the liked message."""

from __future__ import annotations

import re

# The id rides in the reply's own wrapper (`data-reply="..."`), which the browser sends back with a vote.
REPLY_ID = re.compile(r'data-reply="([A-Za-z0-9_-]{22})"')


def reply_id_in(value: object) -> str | None:
    """The id in a liked message as Gradio sends it (its text parts), or None."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        found = REPLY_ID.search(text) if isinstance(text, str) else None
        if found:
            return found.group(1)
    return None
