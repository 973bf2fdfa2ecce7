"""Find the exercises and sections a question names, by any alias, with typos forgiven."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.fuzzy import OneEditIndex, within_one_edit
from assistant.headings import heading_names
from assistant.records import Chunk
from assistant.spelling import common_english
from assistant.text import for_matching, stem

FUZZY_MIN_LETTERS = 5
# A word this common in English is meant as written, not as a typo of a name one letter away: "talking" is not
# "walking", "plan" is not "plank". Rarer words still are ("bride" for "bridge").
COMMON_WORDS = 5_000


def token_matches(query_token: str, alias_token: str) -> bool:
    """Same word, same stem, or (for words of five letters or more) one typo apart, unless the question's word
    is a common English word of its own."""
    if query_token == alias_token or stem(query_token) == stem(alias_token):
        return True
    return len(alias_token) >= FUZZY_MIN_LETTERS and query_token not in common_english(COMMON_WORDS) \
        and within_one_edit(query_token, alias_token)


class WordMatcher:
    """Which words of a fixed vocabulary a question word matches by `token_matches`: looked up (the word, its
    stem, its one-edit neighbours) instead of compared with every word of the vocabulary."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.by_stem: dict[str, set[str]] = defaultdict(set)
        for word in self.vocabulary:
            self.by_stem[stem(word)].add(word)
        self.fuzzy = OneEditIndex(w for w in self.vocabulary if len(w) >= FUZZY_MIN_LETTERS)

    def matches(self, word: str) -> set[str]:
        found = set(self.by_stem.get(stem(word), ()))
        if word in self.vocabulary:
            found.add(word)
        if word not in common_english(COMMON_WORDS):
            found.update(self.fuzzy.near(word))
        return found


@dataclass(frozen=True)
class _Variant:
    """One way of writing one alias: its words, or (for "cat cow") the words run together."""

    words: tuple[str, ...]
    alias: int
    chunk_id: str


class NameIndex:
    """Aliases indexed by their first word, so a question is compared only with plausible names.

    Built once per loaded index; finding names costs tens of microseconds instead of comparing every
    alias at every position of the question.
    """

    def __init__(self, chunks: tuple[Chunk, ...]) -> None:
        self.variants: list[_Variant] = []
        alias_number = 0
        from_headings = heading_names(chunks)
        for chunk in chunks:
            for alias in dict.fromkeys([*chunk.aliases, *from_headings.get(chunk.chunk_id, ())]):
                words = tuple(for_matching(alias).split())
                if not words:
                    continue
                self.variants.append(_Variant(words, alias_number, chunk.chunk_id))
                if len(words) > 1:
                    self.variants.append(_Variant(("".join(words),), alias_number, chunk.chunk_id))
                alias_number += 1
        self.by_first: dict[str, list[int]] = defaultdict(list)
        for number, variant in enumerate(self.variants):
            self.by_first[variant.words[0]].append(number)
        self.first_words = WordMatcher(self.by_first)

    def _starting_with(self, word: str) -> set[int]:
        """Variants whose first word this question word could be."""
        return {number for first in self.first_words.matches(word) for number in self.by_first[first]}

    def find(self, question: str) -> tuple[str, ...]:
        """Chunk ids named in the question, in order of mention; the longest alias wins where names overlap."""
        return tuple(chunk_id for chunk_id, _, _ in self.mentions(for_matching(question).split()))

    def unnamed(self, question: str) -> str:
        """The question's words (as `for_matching` reads them) less those an exercise's name spans: the "chest" of
        "how do I do the knee-to-chest?" names a stretch, not a symptom."""
        words = for_matching(question).split()
        named = {j for _, start, end in self.mentions(words) for j in range(start, end)}
        return " ".join(word for j, word in enumerate(words) if j not in named)

    def mentions(self, words: list[str]) -> tuple[tuple[str, int, int], ...]:
        """Each chunk named in a question's words (as `for_matching` reads them), with the words its name spans
        ([start, end)), in order of mention."""
        leftmost: dict[int, int] = {}
        for start, word in enumerate(words):
            for number in self._starting_with(word):
                variant = self.variants[number]
                end = start + len(variant.words)
                if number in leftmost or end > len(words):
                    continue
                if all(token_matches(w, a) for w, a in zip(words[start + 1:end], variant.words[1:], strict=True)):
                    leftmost[number] = start
        # Per alias, its words as written win over the run-together spelling.
        chosen: dict[int, tuple[int, int, str]] = {}
        for number, start in sorted(leftmost.items()):
            variant = self.variants[number]
            chosen.setdefault(variant.alias, (start, -len(variant.words), variant.chunk_id))
        taken: set[int] = set()
        named: dict[str, tuple[int, int]] = {}
        for start, neg_width, chunk_id in sorted(chosen.values()):
            span = set(range(start, start - neg_width))
            if span & taken or chunk_id in named:
                continue
            taken |= span
            named[chunk_id] = (start, start - neg_width)
        return tuple((chunk_id, start, end) for chunk_id, (start, end) in named.items())
