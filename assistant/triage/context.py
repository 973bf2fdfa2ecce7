"""Context cues, after ConText (Harkema et al. 2009; medspaCy's `ConTextRule`): whether a sign found in the
text counts depends on the words around it.

A cue class has a category (NEGATED, HYPOTHETICAL, HISTORICAL, PET, ...), a direction (FORWARD: it changes
signs after it; BACKWARD: signs before it; BIDIRECTIONAL: both; TERMINATE: it only ends other cues' reach;
PSEUDO: words that look like a cue and are not, "no idea"), a `max_scope` in words, the categories of
terminators that end its reach (`terminated_by`; a sentence end always does) and, optionally, the red-flag
categories it applies to (`applies_to`, medspaCy's `allowed_types`). The classes live in the rule file,
where a clinician reads them; this module only applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.triage.reading import Text

DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
CUE_KEYS = {"name", "category", "direction", "max_scope", "terminated_by", "applies_to", "phrases",
            "only_if_conversation_has"}
PSEUDO_REACH = 4  # a PSEUDO phrase may start this many words before the cue it covers ("is it normal")


@dataclass(frozen=True)
class CueClass:
    """One row of the cue table in the rule file."""

    name: str
    category: str
    direction: str
    max_scope: int
    terminated_by: frozenset[str]
    applies_to: frozenset[str]
    phrases: frozenset[int]
    stop_bits: int  # terminator categories as bits of Lexicon.flags
    only_if_conversation_has: frozenset[int]

    def applies(self, category: str | None) -> bool:
        """Whether the cue reaches signs of `category` (None: of any category, as for plain symptom words)."""
        return category is None or not self.applies_to or category in self.applies_to


@dataclass(frozen=True)
class Modifier:
    """A cue that reaches a sign: its class, and where its words are in the text."""

    cue: CueClass
    text: Text
    start: int
    end: int

    @property
    def category(self) -> str:
        return self.cue.category

    def __str__(self) -> str:
        words = self.text.span_text(self.start, self.end)
        return f"{self.cue.category} (“{words}”: {self.cue.name}, {self.cue.direction.lower()})"


@dataclass(frozen=True)
class Context:
    """Every cue class of a rule set, indexed for the search: which phrase ids act before or after a sign."""

    classes: tuple[CueClass, ...]
    by_phrase: dict[int, tuple[CueClass, ...]]
    forward: frozenset[int]
    backward: frozenset[int]
    pseudo: frozenset[int]
    reach_before: int
    reach_after: int

    @classmethod
    def from_list(cls, rows: Sequence[dict[str, Any]], ids: Callable[[Sequence[str]], tuple[int, ...]],
                  spans: Sequence[int], set_flag: Callable[[Sequence[str], int], None],
                  categories: set[str]) -> Context:
        """Reads the `[[context]]` rows; terminators are single words, flagged in the lexicon."""
        bits: dict[str, int] = {}
        for row in rows:
            unknown = set(row) - CUE_KEYS
            if unknown:
                raise ValueError(f"context {row.get('name', row.get('category'))!r}: unknown keys {sorted(unknown)}")
            if row.get("direction") not in DIRECTIONS:
                raise ValueError(f"context {row.get('name')!r}: direction must be one of {DIRECTIONS}")
            if row["direction"] == "TERMINATE":
                words = row["phrases"]
                if any(len(w.split()) != 1 for w in words):
                    raise ValueError(f"context {row.get('name')!r}: a terminator is one word")
                bit = bits.setdefault(row["category"], 1 << len(bits))
                set_flag(words, bit)
        classes = []
        for row in rows:
            stops = frozenset(row.get("terminated_by", []))
            if not stops <= set(bits):
                raise ValueError(f"context {row.get('name')!r}: terminated_by names no terminator: "
                                 f"{sorted(stops - set(bits))}")
            applies = frozenset(row.get("applies_to", []))
            if not applies <= categories:
                raise ValueError(f"context {row.get('name')!r}: applies_to names unknown categories "
                                 f"{sorted(applies - categories)}")
            stop_bits = 0
            for stop in stops:
                stop_bits |= bits[stop]
            phrases = frozenset(ids(row["phrases"])) if row["direction"] != "TERMINATE" else frozenset()
            classes.append(CueClass(row.get("name", row["category"].lower()), row["category"], row["direction"],
                                    int(row.get("max_scope", 0)), stops, applies, phrases, stop_bits,
                                    frozenset(ids(row.get("only_if_conversation_has", [])))))
        by_phrase: dict[int, list[CueClass]] = {}
        for cue in classes:
            if cue.direction in ("FORWARD", "BACKWARD", "BIDIRECTIONAL"):
                for pid in cue.phrases:
                    by_phrase.setdefault(pid, []).append(cue)

        def ids_of(directions: tuple[str, ...]) -> frozenset[int]:
            return frozenset(p for c in classes if c.direction in directions for p in c.phrases)

        def reach(directions: tuple[str, ...]) -> int:
            return max((c.max_scope + max(spans[p] for p in c.phrases) for c in classes
                        if c.direction in directions and c.phrases), default=0)

        return cls(tuple(classes), {p: tuple(v) for p, v in by_phrase.items()},
                   ids_of(("FORWARD", "BIDIRECTIONAL")), ids_of(("BACKWARD", "BIDIRECTIONAL")),
                   ids_of(("PSEUDO",)), reach(("FORWARD", "BIDIRECTIONAL")), reach(("BACKWARD", "BIDIRECTIONAL")))

    @property
    def reach(self) -> int:
        """How many words either side of a sign can change whether it counts (for caching by neighbourhood)."""
        return max(self.reach_before, self.reach_after) + PSEUDO_REACH

    def modifiers(self, text: Text, s: int, e: int, category: str | None, opens: frozenset[int]) -> list[Modifier]:
        """The cues that reach the sign at tokens [s, e) of `text`, nearest first.

        A cue word that opens a sign phrase of the rule being checked ("no feeling", "haven't peed") is part
        of the sign, not a cue.
        """
        found: list[Modifier] = []
        lo, hi = text.sentence_of(s)[0], text.sentence_of(e - 1)[1]
        for j in range(s - 1, max(lo, s - self.reach_before) - 1, -1):
            for pid in self.forward.intersection(text.starts(j)):
                end = text.end(pid, j, s)
                if end < 0 or self._covered(text, j) or _opens(text, j, opens):
                    continue
                for cue in self.by_phrase[pid]:
                    if (cue.direction != "BACKWARD" and cue.applies(category) and s - end <= cue.max_scope
                            and not _stopped(text, end, s, cue.stop_bits)):
                        found.append(Modifier(cue, text, j, end))
        for j in range(e, min(hi, e + self.reach_after)):
            for pid in self.backward.intersection(text.starts(j)):
                end = text.end(pid, j)
                if end < 0 or self._covered(text, j) or (end < len(text.words) and text.words[end] == "?"):
                    continue
                for cue in self.by_phrase[pid]:
                    if (cue.direction != "FORWARD" and cue.applies(category) and j - e <= cue.max_scope
                            and not _stopped(text, e, j, cue.stop_bits)):
                        found.append(Modifier(cue, text, j, end))
        return found

    def cues_in(self, text: Text, lo: int, hi: int) -> list[tuple[CueClass, int, int]]:
        """Every cue class with a phrase in tokens [lo, hi), and where: for judging a whole sentence."""
        found: list[tuple[CueClass, int, int]] = []
        for j in range(lo, hi):
            for pid in (self.forward | self.backward).intersection(text.starts(j)):
                end = text.end(pid, j, hi)
                if end >= 0 and not self._covered(text, j):
                    found += [(cue, j, end) for cue in self.by_phrase[pid]]
        return found

    def _covered(self, text: Text, j: int) -> bool:
        """Whether a PSEUDO phrase ("no idea", "is it normal") covers the cue word at j."""
        for k in range(max(j - PSEUDO_REACH, 0), j + 1):
            for pid in self.pseudo.intersection(text.starts(k)):
                if text.end(pid, k) > j:
                    return True
        return False

    def classes_of(self, category: str) -> list[CueClass]:
        return [c for c in self.classes if c.category == category]


def _stopped(text: Text, start: int, stop: int, bits: int) -> bool:
    """Whether a terminator of one of `bits` lies in tokens [start, stop)."""
    return bool(bits) and any(text.flags(k) & bits for k in range(start, stop))


def _opens(text: Text, j: int, pids: frozenset[int]) -> bool:
    return any(text.end(pid, j) >= 0 for pid in pids.intersection(text.starts(j)))
