"""A message read into words: where phrases may start, where sentences end, and the user's words to quote."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, islice
from typing import Any

from assistant.text import GAP, PIECE, TOKEN, TRIPLE, fold
from assistant.triage.phrases import Lexicon, match

SENTENCE_WORDS = frozenset({".", "?"})


@dataclass(frozen=True)
class Text:
    """One message read into words, knowing where phrases may start and where sentences end.

    Work on a long message is lazy and shared: positions are listed only for phrases whose every word occurs,
    and a phrase (or a cue check) is worked out once per distinct run of words, so repeated text costs little.
    """

    original: str
    folded: str
    lexicon: Lexicon
    words: Sequence[str]
    first_words: dict[str, tuple[int, ...]]  # distinct word -> ids of phrases that may start at it
    present: frozenset[int]  # ids of the phrase items some word of the text fits
    started: frozenset[int]  # ids of the phrases whose first word is in the text
    memo: dict[Any, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def read(cls, text: str, lexicon: Lexicon) -> Text:
        folded = fold(text)
        raws = TOKEN.findall(folded)
        known = lexicon.learn(raws, repeats=TRIPLE.search(folded) is not None)
        words = list(map({raw: k.word for raw, k in known.items()}.__getitem__, raws))
        first_words = {k.word: k.starts for k in known.values() if k.starts}
        present = frozenset().union(*(k.items for k in known.values()))
        started = frozenset().union(*first_words.values())
        return cls(text, folded, lexicon, words, first_words, present, started)

    def starts(self, j: int) -> tuple[int, ...]:
        return self.first_words.get(self.words[j], ())

    def flags(self, j: int) -> int:
        return self.lexicon.flags.get(self.words[j], 0)

    @property
    def sentence_ends(self) -> list[int]:
        ends = self.memo.get("ends")
        if ends is None:
            ends = self.memo["ends"] = list(compress(count(), map(SENTENCE_WORDS.__contains__, self.words)))
        return ends

    def sentence_of(self, pos: int) -> tuple[int, int]:
        """Token range [start, end) of the sentence holding token `pos`."""
        ends = self.sentence_ends
        k = bisect_right(ends, pos)
        return (ends[k - 1] + 1 if k else 0), (ends[k] if k < len(ends) else len(self.words))

    def positions(self, pid: int) -> list[int]:
        """Where phrase `pid` may start; none when some word it needs is not in the text at all."""
        key = ("at", pid)
        found = self.memo.get(key)
        if found is None:
            found = []
            if pid in self.started and all(item in self.present for item in self.lexicon.phrase_items[pid]):
                lists = [self._where(w) for w, st in self.first_words.items() if pid in st]
                found = lists[0] if len(lists) == 1 else sorted(i for where in lists for i in where)
            self.memo[key] = found
        return found

    def _where(self, word: str) -> list[int]:
        key = ("word", word)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = list(compress(count(), map(word.__eq__, self.words)))
        return found

    def end(self, pid: int, pos: int, limit: int | None = None) -> int:
        """End of the match of phrase `pid` at `pos` (within its sentence, or before `limit`), or -1."""
        limit = min(self.sentence_of(pos)[1] if limit is None else limit, pos + self.lexicon.spans[pid])
        key = (pid, tuple(self.words[pos:limit]))
        rel = self.memo.get(key)
        if rel is None:
            end = match(self.lexicon.phrases[pid], self.words, pos, limit)
            rel = self.memo[key] = end - pos if end >= 0 else -1
        return pos + rel if rel >= 0 else -1

    def find(self, pid: int, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, int]]:
        """Matches (start, end) of a phrase starting in token range [lo, hi)."""
        found = self.positions(pid)
        for pos in found[bisect_left(found, lo):bisect_left(found, len(self.words) if hi is None else hi)]:
            end = self.end(pid, pos)
            if end >= 0:
                yield pos, end

    def _starts(self, upto: int) -> list[int]:
        """Character offsets of the tokens at least up to token `upto`: token-plus-gap lengths added up."""
        found = self.memo.get("starts")
        if found is None or len(found) < upto:
            lead = GAP.match(self.folded)
            pieces = map(len, PIECE.findall(self.folded) if upto > 1000 else
                          (m.group() for m in islice(PIECE.finditer(self.folded), upto)))
            found = self.memo["starts"] = list(accumulate(pieces, initial=lead.end() if lead else 0))
        return found

    def span_text(self, lo: int, hi: int) -> str:
        """The user's own characters for tokens [lo, hi)."""
        starts = self._starts(hi)
        token = TOKEN.match(self.folded, starts[hi - 1])
        return self.original[starts[lo]:token.end() if token else starts[hi - 1]]

    def quote(self, spans: Sequence[tuple[int, int]], budget: int) -> str:
        """The user's own words for the sentence around token spans, cut to whole words within `budget`."""
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        lo, hi = self.sentence_of(first)[0], self.sentence_of(last - 1)[1]
        while lo < first and self.words[lo] == ",":
            lo += 1
        starts = self._starts(hi)

        def end_of(i: int) -> int:
            token = TOKEN.match(self.folded, starts[i])
            return token.end() if token else starts[i]

        if end_of(hi - 1) - starts[lo] <= budget:
            return self.original[starts[lo]:end_of(hi - 1)].strip()
        # Then the clause: between the commas around the matched words.
        before = [i for i in range(first - 1, max(lo, first - 40) - 1, -1) if self.words[i] == ","]
        after = [i for i in range(last, min(hi, last + 40)) if self.words[i] == ","]
        c_lo, c_hi = (before[0] + 1 if before else lo), (after[0] if after else hi)
        if end_of(c_hi - 1) - starts[c_lo] <= budget:
            return self.original[starts[c_lo]:end_of(c_hi - 1)].strip()
        # Centre a window on the matched words, keep it inside the sentence, then keep only whole words.
        hit_start, hit_end = starts[first], end_of(last - 1)
        spare = max(budget - 2 - (hit_end - hit_start), 0)
        start = max(hit_start - spare // 2, starts[lo])
        end = min(start + budget - 2, end_of(hi - 1))
        start = max(min(start, end - budget + 2), starts[lo])
        i0 = min(bisect_left(starts, start, lo, hi), first)
        i1 = max(bisect_right(starts, end, lo, hi) - 1, last - 1)
        if i1 > last - 1 and end_of(i1) > end:
            i1 -= 1
        cut = self.original[starts[i0]:end_of(i1)].strip()
        return ("…" if i0 > lo else "") + cut + ("…" if i1 < hi - 1 else "")
