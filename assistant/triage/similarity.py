"""The second opinion: a sentence that reads like a red flag's exemplars, when no rule fired.

Rules match words; people describe the same sign in words nobody listed ("the seat isn't there under me").
This opinion compares each sentence of the conversation, as a MiniLM vector (the index's own encoder),
with short exemplars of every category written from the clinical guidance, and with look-alike
exemplars. A sentence counts when it is close to some category (cosine >= `threshold`) and closer to it
than to every look-alike by `margin`, and no context cue (negation, someone else, long ago...) is in it.
It can only raise a silent conversation to "urgent" (check first), never lower a rule's verdict.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from assistant.text import RETRIEVAL_CHARS
from assistant.triage.policy import red_flags
from assistant.triage.reading import Text
from assistant.triage.rules import Conversation

EXEMPLARS_FILE = "red_flag_exemplars.toml"
SETTINGS_KEYS = {"threshold", "margin", "blocked_by", "needs_symptom", "min_words", "max_units"}
Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Exemplars:
    """The exemplar sentences: (category, text) rows, then the look-alikes; and the settings that judge them."""

    rows: tuple[tuple[str, str], ...]
    contrast: tuple[str, ...]
    threshold: float
    margin: float
    blocked_by: frozenset[str]
    needs_symptom: frozenset[str]
    min_words: int
    max_units: int
    digest: str

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.rows] + list(self.contrast)


@lru_cache(maxsize=1)
def exemplars() -> Exemplars:
    """The bundled exemplars file, checked: every category must be a red-flag category."""
    raw = (resources.files("assistant") / EXEMPLARS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    settings: dict[str, Any] = data.get("settings", {})
    unknown = (set(data) - {"settings", "category", "contrast"}) | (set(settings) - SETTINGS_KEYS)
    if unknown:
        raise ValueError(f"{EXEMPLARS_FILE}: unknown keys {sorted(unknown)}")
    known = {c.id for c in red_flags().categories}
    if not set(data["category"]) <= known:
        raise ValueError(f"{EXEMPLARS_FILE}: unknown categories {sorted(set(data['category']) - known)}")
    rows = tuple((cid, text) for cid, table in data["category"].items() for text in table["exemplars"])
    return Exemplars(rows, tuple(data["contrast"]["exemplars"]), float(settings["threshold"]),
                     float(settings["margin"]), frozenset(settings["blocked_by"]),
                     frozenset(settings.get("needs_symptom", [])), int(settings["min_words"]),
                     int(settings["max_units"]), hashlib.sha256(raw.encode()).hexdigest())


@dataclass(frozen=True)
class Similar:
    """The sentence that reads most like a category, and the exemplar it reads like."""

    category: str
    sentence: str
    exemplar: str
    score: float
    margin: float


@dataclass(frozen=True)
class Unit:
    """A piece of the conversation judged on its own: a short message whole, or one sentence of a longer one."""

    text: str
    quote: str
    blocked: frozenset[str]  # categories a context cue in it rules out ("*": all)


class SimilarityOpinion:
    """Judges the sentences of a conversation against the exemplars, with the caller's (cached) encoder."""

    def __init__(self, encode: Encode, vectors: np.ndarray | None = None, data: Exemplars | None = None) -> None:
        self.data = data or exemplars()
        self.encode = encode
        self._vectors = vectors
        self.labels = np.array([cid for cid, _ in self.data.rows])

    @property
    def vectors(self) -> np.ndarray:
        """Exemplar vectors: stored with the index, or worked out on first use (about 0.25 s)."""
        if self._vectors is None:
            self._vectors = self.encode(self.data.texts)
        return self._vectors

    def units(self, messages: Sequence[str]) -> list[Unit]:
        """The sentences to judge, latest first, at most `max_units`.

        A one-sentence message is judged whole, as retrieval encodes it, so its vector is reused.
        """
        rules = red_flags()
        texts = rules.read(messages)
        state = Conversation(texts)
        found: list[Unit] = []
        for text in reversed(texts):
            spans = _sentences(text)
            if len([s for s in spans if s[1] - s[0] >= self.data.min_words]) <= 1:
                spans = [(0, len(text.words))]
            for lo, hi in reversed(spans):
                if hi - lo >= self.data.min_words and len(found) < self.data.max_units:
                    whole = (lo, hi) == (0, len(text.words))
                    quote = text.original.strip() if whole else text.span_text(lo, hi)
                    found.append(Unit(text.original[:RETRIEVAL_CHARS] if whole else quote, quote,
                                      self._blocked(text, lo, hi, state)))
        return found

    def _blocked(self, text: Text, lo: int, hi: int, state: Conversation) -> frozenset[str]:
        """Categories a cue in the sentence rules out. A negation counts only when it reaches a symptom word
        ("no numbness"), not any word ("the seat isn't there")."""
        rules = red_flags()
        symptoms = rules.word_lists["symptoms"]
        blocked: set[str] = set()
        for cue, start, end in rules.context.cues_in(text, lo, hi):
            if cue.category not in self.data.blocked_by or (
                    cue.only_if_conversation_has and not state.has(cue.only_if_conversation_has)):
                continue
            if cue.category in self.data.needs_symptom:
                after = range(end, min(hi, end + cue.max_scope + 1)) if cue.direction != "BACKWARD" else range(0)
                before = range(max(lo, start - cue.max_scope - 2), start) if cue.direction != "FORWARD" else range(0)
                if not any(text.end(pid, k) >= 0 for k in (*before, *after)
                           for pid in symptoms.intersection(text.starts(k))):
                    continue
            blocked |= cue.applies_to or {"*"}
        return frozenset(blocked)

    def scores(self, messages: Sequence[str]) -> list[tuple[Unit, Similar]]:
        """Every unit with the category it reads most like (blocked units included, for `describe`)."""
        units = self.units(messages)
        if not units:
            return []
        vectors = self.encode([u.text for u in units])
        n = len(self.data.rows)
        sims = vectors @ self.vectors.T
        out = []
        for unit, row in zip(units, sims, strict=True):
            best = int(np.argmax(row[:n]))
            contrast = float(row[n:].max()) if len(row) > n else -1.0
            out.append((unit, Similar(str(self.labels[best]), unit.quote, self.data.rows[best][1], float(row[best]),
                                      float(row[best]) - contrast)))
        return out

    def check(self, messages: Sequence[str]) -> Similar | None:
        """The unit most like a red flag, if it passes the threshold, the margin and the context cues."""
        passing = [s for unit, s in self.scores(messages)
                   if s.score >= self.data.threshold and s.margin >= self.data.margin
                   and not unit.blocked & {"*", s.category}]
        return max(passing, key=lambda s: s.margin, default=None)

    def describe(self, messages: Sequence[str]) -> list[str]:
        return [f"“{unit.quote[:80]}” reads like {s.category} ({s.score:.2f}, margin {s.margin:+.2f}: "
                f"“{s.exemplar}”)" + (f"; ruled out by a cue for {sorted(unit.blocked)}" if unit.blocked else "")
                for unit, s in self.scores(messages)]


def _sentences(text: Text) -> list[tuple[int, int]]:
    spans, lo = [], 0
    for end in text.sentence_ends:
        spans.append((lo, end))
        lo = end + 1
    if lo < len(text.words):
        spans.append((lo, len(text.words)))
    return [(a, b) for a, b in spans if b > a]
