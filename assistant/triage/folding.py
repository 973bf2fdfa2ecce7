"""Text folding: one lower-case ASCII character per input character, so evidence can quote the user exactly."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Every spelling of "can't" reads as one word; the replacement is padded so positions still match the input.
CANT = re.compile(
    r"\b(?:can *not|can'?t|could *not|couldn'?t|cannae|unable +to|"
    r"(?:not|never|(?:has|have|had|was|were|is|are|does|do|did)n'?t)(?: +been)? +able +to)\b"
)
# A number with a plural "s" is one word, as the rules write it: "in my 20s", "the 1990s", "his 70's".
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:\.\d+)?(?:'?s(?![a-z]))?|[.!?;\n]+|[,:()]+")
TRIPLE = re.compile(r"([a-z])\1\1+")
GAP = re.compile(r"[^a-z0-9.!?;\n,:()]*")
PIECE = re.compile("(?:" + TOKEN.pattern + ")" + GAP.pattern)  # a token and the gap after it
PUNCTUATION = ".!?;\n,:()"
SENTENCE_END = ".!?;\n"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character for one: keeps folded text the same length as the user's, so evidence can quote it."""
    if ch in "\u2018\u2019\u02bc\u00b4\u2032`":
        return "'"
    if ch in "\u2013\u2014\u2015":
        return ","
    if ch == "\u2026":
        return "."
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base.lower() if len(base) == 1 and base.isascii() else " "


def fold(text: str) -> str:
    """Lower-case ASCII copy of `text` of the same length, with every "can't" spelled "cant"."""
    if not text.isascii():
        text = text.translate({ord(ch): _fold_char(ch) for ch in set(text) if not ch.isascii()})
    text = text.lower()
    if "can" in text or "able" in text or "could" in text:
        text = CANT.sub(lambda m: "cant".ljust(len(m.group())), text)
    return text


def plain(word: str) -> str:
    """A pattern word without apostrophes; "can't", "cannot" and "couldn't" become "cant"."""
    word = fold(word).replace("'", "").strip()
    return "cant" if word in ("cannot", "couldnt", "cant") else word
