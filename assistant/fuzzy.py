"""The one fuzzy matcher: words one typo apart, for triage's spelling and for exercise names."""

from __future__ import annotations

from collections.abc import Iterable


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
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


def deletions(word: str) -> set[str]:
    """The word and every way of dropping one of its letters: two words one edit apart share one of these."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


class OneEditIndex:
    """Known words filed under their one-letter deletions, so a lookup costs a word's length in dictionary
    probes instead of a comparison with every known word (a symmetric-delete index)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by_deletion: dict[str, set[str]] = {}
        for word in words:
            for variant in deletions(word):
                self._by_deletion.setdefault(variant, set()).add(word)

    def near(self, word: str) -> list[str]:
        """The known words within one edit of `word`, itself included, in alphabetical order."""
        candidates: set[str] = set()
        for variant in deletions(word):
            candidates |= self._by_deletion.get(variant, set())
        return sorted(c for c in candidates if within_one_edit(word, c))
