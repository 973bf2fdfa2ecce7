"""Input hygiene and output escaping: what every interface does to a user's words."""

from __future__ import annotations

import re
import unicodedata

# Retrieval reads at most this much of a message: a question longer than this is a paste, and the
# encoder truncates far earlier anyway. Triage still reads the whole message.
RETRIEVAL_CHARS = 2_000
SPACES = re.compile(r"\s+")
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def clean(text: str) -> str:
    """Drop control, format (zero-width) and unpaired surrogate characters; collapse whitespace.

    Keeps every letter of every script, so other languages pass through unchanged.
    """
    text = text.encode("utf-8", "replace").decode("utf-8", "replace") if _has_surrogates(text) else text
    text = unicodedata.normalize("NFKC", text)
    # Controls (newlines, tabs, NUL) separate words; invisible format characters join them.
    kept = "".join(" " if unicodedata.category(ch) == "Cc" else "" if unicodedata.category(ch)[0] == "C" else ch
                   for ch in text)
    return SPACES.sub(" ", kept).strip()


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def for_matching(text: str) -> str:
    """Lower-case ASCII-folded words separated by single spaces, for name and cue matching."""
    folded = unicodedata.normalize("NFKD", text[:RETRIEVAL_CHARS].lower()).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", folded.replace("'", "")))


def escape_markdown(text: str) -> str:
    """Show a user's words literally: no HTML, no links, no formatting they did not mean."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]
