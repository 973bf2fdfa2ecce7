"""Answer policy: which cues of `answer_policy.toml` a question shows, read by the same phrase engine as triage.

The file holds the words; retrieval (`retrieve.py`: list requests, the kind of chunk asked for) and follow-ups
(`conversation.py`: aspects, ordinals, "gentler", words that lean back) hold what each cue does. One reading
per question serves every cue, so asking about several costs one search.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant.text import for_matching
from assistant.triage import RuleSet

POLICY_FILE = "answer_policy.toml"
LEVEL = "cue"
OWN_TABLES = ("openings", "named_cause")  # this file's own tables, beside the rule engine's
CAUSE_KEYS = ("before", "after", "filler")  # [named_cause], in the order AnswerPolicy holds them
LIST_CUE = "list"


@dataclass(frozen=True)
class Cues:
    """The cues one question shows, each with the token where its first match starts."""

    at: Mapping[str, int]

    def __contains__(self, cue: object) -> bool:
        return cue in self.at

    def first_listed(self, cues: Iterable[str]) -> str | None:
        """Of these cues, the first in the order given that the question shows ("too hard" before "harder")."""
        return next((cue for cue in cues if cue in self.at), None)

    def first_written(self, cues: Iterable[str]) -> str | None:
        """Of these cues, the one the question writes first ("not the first, the second" means the first)."""
        found = [cue for cue in cues if cue in self.at]
        return min(found, key=self.at.__getitem__) if found else None


@dataclass(frozen=True, eq=False)
class AnswerPolicy:
    """The cue rules, and the cues that count only as a message's first words (and the cue they count as)."""

    rules: RuleSet
    openings: Mapping[str, str]
    cause_before: frozenset[str] = frozenset()
    cause_after: frozenset[str] = frozenset()
    cause_filler: frozenset[str] = frozenset()
    list_words: frozenset[str] = frozenset()
    """The words of the `list` cue's phrases ("exercises", "moves", "list", "tips"), read as `for_matching` reads."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnswerPolicy:
        openings = dict(data.get("openings", {}))
        cause = dict(data.get("named_cause", dict.fromkeys(CAUSE_KEYS, [])))
        rules = RuleSet.from_dict({k: v for k, v in data.items() if k not in OWN_TABLES}, levels=[LEVEL])
        ids = {c.id for c in rules.categories}
        unknown = (set(openings) | set(openings.values())) - ids
        if unknown:
            raise ValueError(f"{POLICY_FILE}: [openings] names unknown categories {sorted(unknown)}")
        if set(cause) != set(CAUSE_KEYS):
            raise ValueError(f"{POLICY_FILE}: [named_cause] has {', '.join(CAUSE_KEYS)}, not {sorted(cause)}")
        listed = (phrase for category in data.get("category", []) if category["id"] == LIST_CUE
                  for rule in category["rule"] for group in rule["need"].values() for phrase in group)
        words = frozenset(for_matching(w) for phrase in listed for part in phrase.split() for w in part.split("/")
                          if w != "..." and not w.endswith("*"))
        return cls(rules, openings, *(frozenset(cause[key]) for key in CAUSE_KEYS), words - {""})

    def named_as_cause(self, words: Sequence[str], start: int, end: int) -> bool:
        """Whether the name at words [start, end) of a question (read by `for_matching`) is said to be what hurt:
        a `before` word ahead of it, with only filler between ("from (doing) deadlifts", "after (too many)
        planks"), or an `after` word just behind it ("deadlifts gave me...", "the bridge hurts...")."""
        at = start - 1
        while at >= 0 and words[at] in self.cause_filler and words[at] not in self.cause_before:
            at -= 1
        return (at >= 0 and words[at] in self.cause_before) or (end < len(words) and words[end] in self.cause_after)

    def cues(self, question: str) -> Cues:
        # Read as words only, as names and group cues are: punctuation neither joins nor parts a cue's words.
        at = {cue: token for cue, (_, token) in self.rules.found([for_matching(question)]).items()}
        for opening, counts_as in self.openings.items():
            if at.pop(opening, None) == 0:
                at.setdefault(counts_as, 0)
        return Cues(at)


@lru_cache(maxsize=1)
def answer_policy() -> AnswerPolicy:
    """The bundled policy, read once."""
    text = resources.files("assistant").joinpath(POLICY_FILE).read_text(encoding="utf-8")
    return AnswerPolicy.from_dict(tomllib.loads(text))


@lru_cache(maxsize=1024)
def cues_of(question: str) -> Cues:
    """The cues a question shows; one question is asked about by retrieval and follow-ups alike, so it is read
    once."""
    return answer_policy().cues(question)


def asks(question: str) -> bool:
    """Whether a message asks anything: a written "?" (which the words-only reading of cues cannot see) or a
    question word (`asks` in answer_policy.toml)."""
    return "?" in question or "asks" in cues_of(question)


def asks_what_it_is(question: str) -> bool:
    """Whether a message may ask what the user's condition is: it asks something (`asks`), and not for what eases
    it ("the plank hurts my back, anything instead?", `relief`). What the learned models read as a diagnosis
    request counts only then; a named condition asked about ("is it a slipped disc?") is the scope rules'."""
    return asks(question) and "relief" not in cues_of(question)
