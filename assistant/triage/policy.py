"""The triage policy: the bundled red-flag rules first, then the similarity opinion for what they left silent."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from assistant.triage.rules import RuleSet

if TYPE_CHECKING:
    from assistant.triage.similarity import SimilarityOpinion

Level = Literal["emergency", "urgent", "none"]
LEVELS = ("emergency", "urgent")
RULES_FILE = "red_flags.toml"


@dataclass(frozen=True)
class Triage:
    """The most urgent red flag in a conversation, with the user's own words that raised it, and why.

    `source` says what raised it: "rules" (a rule of red_flags.toml, named in `rule`) or "similarity" (the
    message reads like the category's exemplars; `score` is the cosine), or "language" (sign words in
    another language; `rule` names it).
    """

    level: Level
    category: str | None = None
    label: str | None = None
    evidence: str | None = None
    rule: str | None = None
    source: str | None = None
    why: str | None = None
    score: float | None = None


@lru_cache(maxsize=1)
def red_flags() -> RuleSet:
    """The bundled red-flag rules, read once."""
    raw = (resources.files("assistant") / RULES_FILE).read_text(encoding="utf-8")
    return RuleSet.from_dict(tomllib.loads(raw), levels=LEVELS)


def triage(messages: Sequence[str], opinion: SimilarityOpinion | None = None) -> Triage:
    """The most urgent red flag in a conversation (every user message, oldest first); never lowered later.

    With an `opinion`, a conversation the rules leave silent may still be raised to "urgent" (check first).
    """
    found = red_flags().search(messages)
    if found is not None:
        level: Level = "emergency" if found.category.level == "emergency" else "urgent"
        return Triage(level, found.category.id, found.category.label, found.evidence, found.rule.id, "rules",
                      found.rule.why)
    return second_opinion(messages, opinion) if opinion is not None else Triage("none")


def second_opinion(messages: Sequence[str], opinion: SimilarityOpinion) -> Triage:
    """The similarity opinion alone: "urgent" (check first) when a sentence reads like a red flag."""
    similar = opinion.check(messages)
    if similar is None:
        return Triage("none")
    category = next(c for c in red_flags().categories if c.id == similar.category)
    return Triage("urgent", category.id, category.label, similar.sentence, None, "similarity",
                  f"reads like: “{similar.exemplar}”", round(similar.score, 3))


def about_back(messages: Sequence[str]) -> bool:
    """Whether the user spoke of their back (the card says "with back pain" only then)."""
    return red_flags().mentions(messages, "back_words")


def describes_symptoms(message: str) -> bool:
    """Whether a message describes more than plain back pain or stiffness (see [words].symptoms)."""
    return red_flags().mentions([message], "symptoms")


def explain(messages: Sequence[str], opinion: SimilarityOpinion | None = None) -> str:
    """Why a conversation did or did not trigger, for a clinician: every sign found, and the cue that
    cancelled it, if any."""
    verdict = triage(messages, opinion)
    lines = [f"verdict: {verdict.level}" + (f" — {verdict.category} ({verdict.source}: "
                                            f"{verdict.rule or verdict.why})" if verdict.category else "")]
    if verdict.evidence:
        lines.append(f"  evidence: “{verdict.evidence}”")
    for sign in red_flags().signs(messages):
        status = "cancelled by " + "; ".join(map(str, sign.cancelled_by)) if sign.cancelled_by else "counts"
        lines.append(f"  {sign.rule.id} [{sign.group}] “{sign.words}”: {status}")
    if opinion is not None and verdict.source != "rules":
        lines += [f"  similarity: {line}" for line in opinion.describe(messages)]
    return "\n".join(lines)
