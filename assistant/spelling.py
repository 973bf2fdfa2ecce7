"""Fix typos and SMS shorthand against the corpus vocabulary and common English, before retrieval.

Red-flag triage and the scope rules read the user's own words; only retrieval and the scope model's
embedding read the corrected text, so a correction can never hide a warning sign.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant.records import Chunk

RULES_FILE = "spelling.toml"
ENGLISH_FILE = "frequency_dictionary_en_82_765.txt"
# Corrections are drawn from the corpus words (up to two edits away) and from this many of the most frequent
# English words (one edit away); every word of the dictionary still counts as known (never corrected).
# All 82k English words at two edits took 2.2 s to load here; 20k at one edit, a fraction of that.
ENGLISH_TARGETS = 20_000
MIN_LETTERS = 3
MAX_LETTERS = 20
# Two edits only for longer words and only towards the article's words: "exersize" → "exercise", while a
# rare word such as "numbnes" must not become "number".
TWO_EDITS_FROM = 7
WORD = re.compile(r"[A-Za-z0-9']+(?:/[A-Za-z0-9']+)?")
CORPUS_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _english() -> tuple[tuple[str, int], ...]:
    """symspellpy's English word list with its counts, most frequent first."""
    path = resources.files("symspellpy").joinpath(ENGLISH_FILE)
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, count = line.split()
        rows.append((word, int(count)))
    return tuple(rows)


@lru_cache(maxsize=2)
def common_english(count: int = ENGLISH_TARGETS) -> frozenset[str]:
    """The `count` most frequent English words. By default the words corrections are drawn towards: also the words
    the rule files never read as a typo of theirs ("hills" is not "chills", "ladder" not "bladder")."""
    return frozenset(word for word, _ in _english()[:count])


class Speller:
    """SymSpell over the corpus vocabulary (preferred) and common English, plus fixed shorthand."""

    def __init__(self, chunks: Sequence[Chunk], rules: dict[str, Any]) -> None:
        """The chunks are read only when a word is neither English nor shorthand (see `_symspell`)."""
        english = _english()
        self._chunks = chunks
        self._targets = english[:ENGLISH_TARGETS]
        self.known = {w for w, _ in english} | set(rules["known"]["words"])
        self.shorthand: dict[str, str] = rules["shorthand"]
        digits = dict(rules["digits"])
        self.units = frozenset(digits.pop("units"))
        self.digits: dict[str, str] = digits
        self._lock = threading.Lock()
        self._lookups: tuple[set[str], Any, Any] | None = None

    def _symspell(self) -> tuple[set[str], Any, Any]:
        """The article's words, and its and English lookups, built on the first word that is not English: most
        questions have none, and building them took ~0.15 s of a ~0.6 s start-up here (reading a 100k-chunk
        corpus, seconds)."""
        with self._lock:
            if self._lookups is None:
                from symspellpy import SymSpell

                counts = Counter(w for text in corpus_texts(self._chunks)
                                 for w in CORPUS_WORD.findall(text.lower().replace("'", "")))
                article = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
                for word, count in counts.items():
                    article.create_dictionary_entry(word, count)
                english = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
                for word, count in self._targets:
                    english.create_dictionary_entry(word, count)
                self._lookups = (set(counts), article, english)
            return self._lookups

    def correct(self, text: str) -> str:
        """The text with unknown words fixed; unchanged (the same string) when nothing needs fixing."""
        words = WORD.findall(text)
        if all(self._fix(w.lower(), None) is None for w in words):
            return text
        lowered = [w.lower() for w in words]
        fixes = iter([self._fix(w, lowered[i + 1] if i + 1 < len(lowered) else None) for i, w in enumerate(lowered)])
        return WORD.sub(lambda m: next(fixes) or m.group(), text)

    @lru_cache(maxsize=4096)  # noqa: B019 - one Speller per loaded index, kept for the process
    def _fix(self, word: str, following: str | None) -> str | None:
        if word in self.digits:
            return self.digits[word] if following is not None and following not in self.units \
                and not following.isdigit() else None
        if word in self.shorthand:
            return self.shorthand[word]
        plain = word.removesuffix("'s").replace("'", "")
        if not plain.isalpha() or not MIN_LETTERS <= len(plain) <= MAX_LETTERS:
            return None
        if plain in self.known:
            return None
        from symspellpy import Verbosity

        edits = 2 if len(plain) >= TWO_EDITS_FROM else 1
        corpus, in_article, in_english = self._symspell()
        if plain in corpus:
            return None
        article = in_article.lookup(plain, Verbosity.TOP, max_edit_distance=edits)
        english = in_english.lookup(plain, Verbosity.TOP, max_edit_distance=1)
        # Among equally close words, the article's own wins ("brige" is the bridge, not a bride).
        if article and (not english or article[0].distance <= english[0].distance):
            return article[0].term
        return english[0].term if english else None


@lru_cache(maxsize=1)
def spelling_rules() -> dict[str, Any]:
    return tomllib.loads(resources.files("assistant").joinpath(RULES_FILE).read_text(encoding="utf-8"))


def corpus_texts(chunks: Iterable[Chunk]) -> list[str]:
    """The words a corpus offers as corrections: its titles, texts and the names people use."""
    return [" ".join((c.title, c.text, *c.aliases)) for c in chunks]
