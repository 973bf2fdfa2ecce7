"""Context cues, after ConText (Harkema et al. 2009; medspaCy's `ConTextRule`): whether a sign found in the
text counts depends on the words around it.

A cue class has a category (NEGATED, HYPOTHETICAL, HISTORICAL, PET, ...), a direction (FORWARD: it changes
signs after it; BACKWARD: signs before it; BIDIRECTIONAL: both; TERMINATE: it only ends other cues' reach;
PSEUDO: words that look like a cue and are not, "no idea"), a `max_scope` in words, the categories of
terminators that end its reach (`terminated_by`; a sentence end does too) and, optionally, the red-flag
categories or rules it applies to (`applies_to`, medspaCy's `allowed_types`).

A class marked `across_sentences` is not stopped by a sentence end, only by its scope and terminators, so a cue
in one sentence can govern the next ("Broke my back in 2009. All healed since.") and reach into the user's
message before or after; but not out of a sentence that names a sign of its own between the cue and that end
(`across_unless`: "I had cancer, fine since" is about the cancer). One marked `only_questions` reaches only a
sign in a question ("Is numbness there a bad sign? I don't have it."); one marked `inside_signs` also reaches a
sign from inside its phrase ("my foot isn't dragging"); one marked `at_clause_end` counts only where a clause
ends, or before one of its `or_before` words ("it's gone now", "it went away by the evening", not "it's gone
floppy"). A terminator covered by a PSEUDO phrase stops nothing
("she's 10 now"). The classes live in the rule file, where a clinician reads them; this module applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.triage.reading import Text

DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
CUE_KEYS = {"name", "category", "direction", "max_scope", "terminated_by", "applies_to", "phrases",
            "only_if_conversation_has", "across_sentences", "across_unless", "only_questions", "inside_signs",
            "experiencer", "at_clause_end", "or_before"}


# A sentence that starts with one of these asks something even without a question mark, as people type on a
# phone ("how do u tell a heart attack from back pain lol"); one ended by "." or "!" tells.
QUESTION_STARTS = frozenset({"how", "what", "whats", "why", "when", "where", "which", "who", "is", "are", "can",
                             "could", "should", "would", "does", "do", "did", "will"})


def asks_in(text: Text, lo: int, hi: int) -> bool:
    """Whether the sentence of tokens [lo, hi] (hi its end mark, if any) asks a question."""
    end = text.words[hi] if hi < len(text.words) else ""
    return end == "?" or end not in (".", "!") and lo < len(text.words) and text.words[lo] in QUESTION_STARTS


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
    across_sentences: bool = False
    only_questions: bool = False
    across_unless: frozenset[int] = frozenset()
    inside_signs: bool = False
    experiencer: bool = False  # names who the sign belongs to (someone else, a pet): judged per sentence too
    at_clause_end: bool = False  # its phrase counts only where a clause ends ("it's gone." not "it's gone floppy")
    or_before: frozenset[str] = frozenset()  # ...or before one of these words ("it went away by the evening")

    def applies(self, category: str | None, rule: str | None = None) -> bool:
        """Whether the cue reaches signs of `category` or of `rule` (None: of any, as for plain symptom words)."""
        return category is None or not self.applies_to or category in self.applies_to or rule in self.applies_to


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
    across: frozenset[int]  # ids of the phrases of classes whose reach crosses sentence ends
    terminators: dict[str, int]  # terminator category -> its bit in Lexicon.flags ("SELF": the user speaking)
    closing: dict[int, frozenset[str]]  # ids of the phrases of `at_clause_end` classes -> their `or_before`
    # How many words before a cue a PSEUDO phrase covering it may start: its longest phrase's reach, so a longer
    # phrase ("since I was a little kid") is never silently cut short.
    pseudo_reach: int

    @classmethod
    def from_list(cls, rows: Sequence[dict[str, Any]], ids: Callable[[Sequence[str]], tuple[int, ...]],
                  spans: Sequence[int], set_flag: Callable[[Sequence[str], int], None],
                  categories: set[str], rules: set[str]) -> Context:
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
            if not applies <= categories | rules:
                raise ValueError(f"context {row.get('name')!r}: applies_to names unknown categories or rules "
                                 f"{sorted(applies - categories - rules)}")
            stop_bits = 0
            for stop in stops:
                stop_bits |= bits[stop]
            phrases = frozenset(ids(row["phrases"])) if row["direction"] != "TERMINATE" else frozenset()
            classes.append(CueClass(row.get("name", row["category"].lower()), row["category"], row["direction"],
                                    int(row.get("max_scope", 0)), stops, applies, phrases, stop_bits,
                                    frozenset(ids(row.get("only_if_conversation_has", []))),
                                    bool(row.get("across_sentences", False)), bool(row.get("only_questions", False)),
                                    frozenset(ids(row.get("across_unless", []))), bool(row.get("inside_signs", False)),
                                    bool(row.get("experiencer", False)), bool(row.get("at_clause_end", False)),
                                    frozenset(row.get("or_before", []))))
        by_phrase: dict[int, list[CueClass]] = {}
        for cue in classes:
            if cue.direction in ("FORWARD", "BACKWARD", "BIDIRECTIONAL"):
                for pid in cue.phrases:
                    by_phrase.setdefault(pid, []).append(cue)

        closing = {p: c.or_before for c in classes if c.at_clause_end for p in c.phrases}
        if closing.keys() & {p for c in classes if not c.at_clause_end for p in c.phrases}:
            raise ValueError("a phrase of an `at_clause_end` context row is also a phrase of a row without it")

        def ids_of(directions: tuple[str, ...]) -> frozenset[int]:
            return frozenset(p for c in classes if c.direction in directions for p in c.phrases)

        def reach(directions: tuple[str, ...]) -> int:
            return max((c.max_scope + max(spans[p] for p in c.phrases) for c in classes
                        if c.direction in directions and c.phrases), default=0)

        return cls(tuple(classes), {p: tuple(v) for p, v in by_phrase.items()},
                   ids_of(("FORWARD", "BIDIRECTIONAL")), ids_of(("BACKWARD", "BIDIRECTIONAL")),
                   ids_of(("PSEUDO",)), reach(("FORWARD", "BIDIRECTIONAL")), reach(("BACKWARD", "BIDIRECTIONAL")),
                   frozenset(p for c in classes if c.across_sentences for p in c.phrases), dict(bits), closing,
                   max((spans[p] - 1 for c in classes if c.direction == "PSEUDO" for p in c.phrases), default=0))

    @property
    def reach(self) -> int:
        """How many words either side of a sign can change whether it counts (for caching by neighbourhood)."""
        return max(self.reach_before, self.reach_after) + self.pseudo_reach

    def modifiers(self, text: Text, s: int, e: int, category: str | None, opens: frozenset[int],
                  before: Text | None = None, after: Text | None = None, gaps: Sequence[int] = (),
                  rule: str | None = None) -> list[Modifier]:
        """The cues that reach the sign at tokens [s, e) of `text`, nearest first.

        A cue word that opens a sign phrase of the rule being checked ("no feeling", "haven't peed") is part
        of the sign, not a cue; a cue that starts before the sign and runs into it reaches it ("if I had" and
        "had a fever"); a forward cue of a class marked `inside_signs` in one of its `gaps` (the words
        a "..." of the phrase let in: "my foot isn't dragging") reaches it, and so does one that holds the sign in a
        gap of its own phrase ("can a kidney infection feel like"). Classes that cross sentence ends
        also reach from the user's message `before` this one and the one `after` it ("my bum goes numb when I
        game" then "goes away when I stand up").
        """
        found: list[Modifier] = []
        lo, hi = text.sentence_of(s)[0], text.sentence_of(e - 1)[1]
        asks = asks_in(text, lo, hi)
        for j in gaps:
            for pid in self.forward.intersection(text.starts(j)):
                end = text.end(pid, j, e)
                if end >= 0 and not self._void(text, pid, j, end):
                    found += [Modifier(cue, text, j, end) for cue in self.by_phrase[pid] if cue.inside_signs
                              and cue.direction != "BACKWARD" and self._reaches(cue, category, rule, asks, True)]
        for j in range(s - 1, max(0 if self.across else lo, s - self.reach_before) - 1, -1):
            pids = self.forward.intersection(text.starts(j))
            for pid in pids if j >= lo else self.across.intersection(pids):
                # A cue that starts before the sign may run into it: "if I had" reaches "had a fever".
                end = text.end(pid, j, e)
                if end < 0 and j >= lo:
                    found += self._around(text, pid, j, e, category, rule, asks)
                if end < 0 or self._void(text, pid, j, end):
                    continue
                # A person named by a sign's own word ("Nana fell", "grandpa's 88") is still someone else.
                found += [Modifier(cue, text, j, end) for cue in self.by_phrase[pid]
                          if (cue.experiencer or not _opens(text, j, opens))
                          and cue.direction != "BACKWARD" and self._reaches(cue, category, rule, asks, j >= lo)
                          and s - end <= cue.max_scope and not self._stopped(text, end, s, cue.stop_bits)
                          and (j >= lo or not _names(text, end, text.sentence_of(j)[1], cue.across_unless))]
        for j in range(e, min(len(text.words) if self.across else hi, e + self.reach_after)):
            pids = self.backward.intersection(text.starts(j))
            for pid in pids if j < hi else self.across.intersection(pids):
                end = text.end(pid, j)
                if end < 0 or self._void(text, pid, j, end):
                    continue
                found += [Modifier(cue, text, j, end) for cue in self.by_phrase[pid]
                          if cue.direction != "FORWARD" and not _asks_back(text, end, cue)
                          and self._reaches(cue, category, rule, asks, j < hi)
                          and j - e <= cue.max_scope and not self._stopped(text, e, j, cue.stop_bits)
                          and (j < hi or not _names(text, text.sentence_of(j)[0], j, cue.across_unless))]
        if self.across and before is not None:
            found += self._from_before(before, text, s, category, rule, asks)
        if self.across and after is not None:
            found += self._from_after(after, text, e, category, rule, asks)
        return found

    def _from_before(self, before: Text, text: Text, s: int, category: str | None, rule: str | None,
                     asks: bool) -> list[Modifier]:
        """Cues of the previous message whose forward reach runs on into this one."""
        found: list[Modifier] = []
        n = len(before.words)
        for j in range(n - 1, max(0, n - (self.reach_before - s)) - 1, -1):
            for pid in self.across.intersection(self.forward, before.starts(j)):
                end = before.end(pid, j, n)
                if end < 0 or self._void(before, pid, j, end):
                    continue
                found += [Modifier(cue, before, j, end) for cue in self.by_phrase[pid]
                          if cue.direction != "BACKWARD" and self._reaches(cue, category, rule, asks, False)
                          and n - end + s <= cue.max_scope and not self._stopped(before, end, n, cue.stop_bits)
                          and not self._stopped(text, 0, s, cue.stop_bits)
                          and not _names(before, end, before.sentence_of(j)[1], cue.across_unless)]
        return found

    def _from_after(self, after: Text, text: Text, e: int, category: str | None, rule: str | None,
                    asks: bool) -> list[Modifier]:
        """Cues of the next message whose backward reach runs back into this one ("all healed since")."""
        found: list[Modifier] = []
        gap = len(text.words) - e
        for j in range(0, min(len(after.words), self.reach_after - gap)):
            for pid in self.across.intersection(self.backward, after.starts(j)):
                end = after.end(pid, j)
                if end < 0 or self._void(after, pid, j, end):
                    continue
                found += [Modifier(cue, after, j, end) for cue in self.by_phrase[pid]
                          if cue.direction != "FORWARD" and not _asks_back(after, end, cue)
                          and self._reaches(cue, category, rule, asks, False)
                          and gap + j <= cue.max_scope and not self._stopped(text, e, len(text.words), cue.stop_bits)
                          and not self._stopped(after, 0, j, cue.stop_bits)
                          and not _names(after, after.sentence_of(j)[0], j, cue.across_unless)]
        return found

    def _around(self, text: Text, pid: int, j: int, e: int, category: str | None, rule: str | None,
                asks: bool) -> list[Modifier]:
        """A forward cue of an `inside_signs` class that starts before the sign and holds it in a gap of its
        phrase: "can a ... feel like" around "can a kidney infection feel like back pain?"."""
        end = text.end(pid, j)
        if end < e or self._void(text, pid, j, end):
            return []
        return [Modifier(cue, text, j, end) for cue in self.by_phrase[pid] if cue.inside_signs
                and cue.direction == "FORWARD" and self._reaches(cue, category, rule, asks, True)]

    @staticmethod
    def _reaches(cue: CueClass, category: str | None, rule: str | None, asks: bool, same_sentence: bool) -> bool:
        """Whether a cue of this class, found where it is, can reach a sign of `category` (and `rule`)."""
        return (cue.applies(category, rule) and (same_sentence or cue.across_sentences)
                and (asks or not cue.only_questions))

    def _stopped(self, text: Text, start: int, stop: int, bits: int) -> bool:
        """Whether a terminator of one of `bits` lies in tokens [start, stop), not covered by a PSEUDO phrase
        ("she's 10 now" does not make a past event current)."""
        return bool(bits) and any(text.flags(k) & bits and not self.covered(text, k) for k in range(start, stop))

    def cues_in(self, text: Text, lo: int, hi: int) -> list[tuple[CueClass, int, int]]:
        """Every cue class with a phrase in tokens [lo, hi), and where: for judging a whole sentence."""
        found: list[tuple[CueClass, int, int]] = []
        for j in range(lo, hi):
            for pid in (self.forward | self.backward).intersection(text.starts(j)):
                end = text.end(pid, j, hi)
                if end >= 0 and not self._void(text, pid, j, end):
                    found += [(cue, j, end) for cue in self.by_phrase[pid]]
        return found

    def _void(self, text: Text, pid: int, j: int, end: int) -> bool:
        """Whether the cue phrase `pid` found at tokens [j, end) is no cue here: a PSEUDO phrase covers it, or its
        class counts only at a clause's end (or before one of its `or_before` words) and more of the clause follows
        ("it's gone" ends a clause in "it's gone now" and "it's gone, but", not in "it's gone floppy")."""
        if self.covered(text, j, end):
            return True
        after = self.closing.get(pid)
        if after is None or end >= len(text.words) or end in text.sentence_ends or text.words[end] in after:
            return False
        return not text.flags(end) & (self.terminators.get("CLAUSE", 0) | self.terminators.get("CURRENT", 0))

    def covered(self, text: Text, j: int, end: int = -1) -> bool:
        """Whether a PSEUDO phrase ("no idea", "is it normal") covers the cue word at j. A cue phrase ending at
        `end` that starts where the PSEUDO phrase starts and reaches as far is not covered: as in medspaCy, the
        longer of two overlapping matches wins, so "never came back" said of a healed sign stays a resolution
        though "never ... came ... back" is also POSITIONAL's "the feeling did not come back"."""
        for k in range(max(j - self.pseudo_reach, 0), j + 1):
            for pid in self.pseudo.intersection(text.starts(k)):
                stop = text.end(pid, k)
                if stop > j and not (k == j and stop <= end):
                    return True
        return False

    def someone_elses(self, text: Text, lo: int, hi: int, holds: Callable[[frozenset[int]], bool]) -> bool:
        """Whether the sentence in tokens [lo, hi) tells of someone else, not the user: it names a person or an
        animal through an `experiencer` cue (whose conversation condition `holds`) and has no word of the user
        speaking (SELF: "I", "my"). "Our dog has lost control of her bladder." is the dog's; "my dog is
        limping and I can't feel my bum" is the user's. Whole sentences, so the learned opinion can leave them
        out of what it compares with the red-flag exemplars, as the rules leave their signs out."""
        named = [(j, end) for cue, j, end in self.cues_in(text, lo, hi) if cue.experiencer
                 and (not cue.only_if_conversation_has or holds(cue.only_if_conversation_has))]
        inside = {k for j, end in named for k in range(j, end)}  # the "my" of "my husband" is not the user's own
        self_bit = self.terminators.get("SELF", 0)
        return bool(named) and not any(text.flags(k) & self_bit for k in range(lo, hi) if k not in inside)

    def classes_of(self, category: str) -> list[CueClass]:
        return [c for c in self.classes if c.category == category]


def _asks_back(text: Text, end: int, cue: CueClass) -> bool:
    """Whether a backward cue ending at `end` sits straight before a question mark, and so asks rather than tells
    ("numb down there, is that normal?"); a class that reaches only questions is for just that ("in general?")."""
    return not cue.only_questions and end < len(text.words) and text.words[end] == "?"


def _names(text: Text, lo: int, hi: int, pids: frozenset[int]) -> bool:
    """Whether a phrase of `pids` starts in tokens [lo, hi)."""
    return bool(pids) and any(next(text.find(pid, lo, hi), None) for pid in pids.intersection(text.started))


def _opens(text: Text, j: int, pids: frozenset[int]) -> bool:
    return any(text.end(pid, j) >= 0 for pid in pids.intersection(text.starts(j)))
