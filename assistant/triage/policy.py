"""The triage policy: the bundled red-flag rules first, checked by the learned opinion, which also raises what
they left silent."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from assistant.text import PUNCTUATION
from assistant.triage.reading import Text
from assistant.triage.rules import EVIDENCE_CHARS, RuleSet

if TYPE_CHECKING:
    from assistant.triage.learned import LearnedOpinion

Level = Literal["emergency", "urgent", "none"]
LEVELS = ("emergency", "urgent")
RULES_FILE = "red_flags.toml"
CLAUSE = "CLAUSE"  # the cue category of the rule file's clause breaks
# The learned opinion may cancel a rule's verdict only when one of these cues is in the conversation (whose
# sign, when, whether at all), and never a sign of these categories.
VETO_CUES = frozenset({"OTHER_PERSON", "PET", "HISTORICAL", "RESOLVED", "HYPOTHETICAL", "REPORTED", "FIGURATIVE"})
NEVER_VETOED = frozenset({"cauda_equina", "neuro_deficit"})


@dataclass(frozen=True)
class Triage:
    """The most urgent red flag in a conversation, with the user's own words that raised it, and why.

    `source` says what decided it: "rules" (a rule of red_flags.toml, named in `rule`), "learned" (the learned
    opinion raised a conversation no rule flagged; `score` is its probability of a red flag), "veto" (a rule
    fired, but a context cue was there and the learned opinion found no red flag: level "none", the rule kept
    for `explain`), "hold" (level "none", but the learned opinion reads an emergency category above `hold`:
    no alarm, and an answer holds its exercise steps back), or "language" (sign words in another language;
    `rule` names it).
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


def triage(messages: Sequence[str], opinion: LearnedOpinion | None = None) -> Triage:
    """The most urgent red flag in a conversation (every user message, oldest first).

    With an `opinion`, a rule's verdict is vetoed when the conversation holds a context cue of VETO_CUES and
    the opinion is confident there is no red flag; a silent conversation is left to `second_opinion`.
    """
    found = red_flags().search(messages)
    if found is None:
        return Triage("none")
    level: Level = "emergency" if found.category.level == "emergency" else "urgent"
    verdict = Triage(level, found.category.id, found.category.label, found.evidence, found.rule.id, "rules",
                     found.rule.why)
    if opinion is None or found.category.id in NEVER_VETOED:
        return verdict
    judged = opinion.judge(messages)
    if judged is None or not judged.cues & VETO_CUES or judged.score >= opinion.thresholds["veto"]:
        return verdict
    cues = ", ".join(sorted(judged.cues & VETO_CUES))
    return Triage("none", verdict.category, verdict.label, verdict.evidence, verdict.rule, "veto",
                  f"{found.rule.why}; but {cues} and the learned opinion finds no red flag", round(judged.score, 3))


def second_opinion(messages: Sequence[str], opinion: LearnedOpinion) -> Triage:
    """The learned opinion alone, for a conversation no rule flagged: "urgent" (check first) when it is likely a
    red flag, "emergency" when, more likely still, an emergency one. Below `raise`, a conversation whose
    probability of an emergency (its emergency categories together) is `hold` or more (`hold_symptoms`, lower,
    when it names symptoms of the user's own, now) is not alarmed but held (source "hold"): a missed emergency
    must never be answered with exercise steps, and an alarm at that score would be false far more often than
    not; a plain question about how an exercise is done ("lying on my back, knees bent, push my hips up") names
    no symptom and is held only at `hold`. It raises only in back-pain chat ([words].domain), where it was
    trained; outside it (no back word: "fell 12 feet onto concrete"), a conversation whose probability of an
    emergency is `emergency` or more is held, never raised."""
    in_domain = red_flags().mentions(messages, "domain")
    judged = opinion.judge(messages)
    if judged is None:
        return Triage("none")
    category = next(c for c in red_flags().categories if c.id == judged.category)
    quote = judged.quote[:EVIDENCE_CHARS]
    why = f"reads like: “{judged.exemplar}”"
    hold_at = opinion.thresholds["emergency"] if not in_domain else opinion.thresholds[
        "hold_symptoms" if judged.symptoms else "hold"]
    if not in_domain or judged.score < opinion.thresholds["raise"]:
        if judged.emergency_category is None or judged.emergency < hold_at:
            return Triage("none")
        held = next(c for c in red_flags().categories if c.id == judged.emergency_category)
        return Triage("none", held.id, held.label, quote, None, "hold", why, round(judged.emergency, 3))
    level: Level = "emergency" if (category.level == "emergency"
                                   and judged.score >= opinion.thresholds["emergency"]) else "urgent"
    return Triage(level, category.id, category.label, quote, None, "learned", why, round(judged.score, 3))


def about_back(messages: Sequence[str]) -> bool:
    """Whether the user spoke of their back (the card says "with back pain" only then)."""
    return red_flags().mentions(messages, "back_words")


def describes_symptoms(message: str) -> bool:
    """Whether a message describes more than plain back pain or stiffness (see [words].symptoms)."""
    return red_flags().mentions([message], "symptoms")


def affirmed(message: str) -> str:
    """The message without its clauses that only rule warning signs out: "no numbness, bladder fine, just a sore
    back after gardening" is read as "just a sore back after gardening".

    For what reads meaning alone (retrieval and the scope models) and cannot see a negation: a message that rules
    signs out, as people do who have read the warning signs, otherwise reads like one that lists them. A clause
    (between punctuation or the rule file's CLAUSE words) is set aside only when every sign word in it is negated
    and it names nothing of the back or its exercises ([words].domain); triage itself reads every word. A
    message with no such clause, or nothing else, comes back unchanged.
    """
    rules = red_flags()
    texts = rules.read([message])
    signs = texts[0].started.intersection(rules.word_lists["symptoms"]) if texts else frozenset()
    if not signs:
        return message
    text = texts[0]
    ruled_out, said = set(), set()
    for pid in signs:
        for s, e in text.find(pid):
            if s not in rules.unmeant(text):
                modifiers = rules.context.modifiers(text, s, e, None, frozenset())
                (ruled_out if any(m.category == "NEGATED" for m in modifiers) else said).add(s)
    if not ruled_out:
        return message
    said |= {s for pid in text.started.intersection(rules.word_lists["domain"]) for s, _ in text.find(pid)}
    clauses = _clauses(rules, text)
    kept = [(lo, hi) for lo, hi in clauses
            if not any(lo <= s < hi for s in ruled_out) or any(lo <= s < hi for s in said)]
    if not kept or len(kept) == len(clauses):
        return message
    return " ".join(text.span_text(lo, hi) for lo, hi in kept)


def _clauses(rules: RuleSet, text: Text) -> list[tuple[int, int]]:
    """Token ranges of a message's clauses, each with the punctuation or clause word that ends it."""
    ends = {j for j, word in enumerate(text.words) if word[0] in PUNCTUATION}
    for cue in rules.context.classes:
        if cue.category == CLAUSE:
            ends |= {e - 1 for pid in text.started.intersection(cue.phrases) for _, e in text.find(pid)}
    bounds = [-1, *sorted(ends)]
    ranges = [(a + 1, b + 1) for a, b in zip(bounds, bounds[1:], strict=False) if b + 1 > a + 1]
    if bounds[-1] + 1 < len(text.words):
        ranges.append((bounds[-1] + 1, len(text.words)))
    return ranges


def explain(messages: Sequence[str], opinion: LearnedOpinion | None = None) -> str:
    """Why a conversation did or did not trigger, for a clinician: every sign found, the cue that cancelled
    it, if any, and the learned opinion."""
    verdict = triage(messages, opinion)
    if verdict.level == "none" and verdict.source is None and opinion is not None:
        verdict = second_opinion(messages, opinion)
    held = " (exercise steps held back)" if verdict.source == "hold" else ""
    lines = [f"verdict: {verdict.level}{held}" + (f" — {verdict.category} ({verdict.source}: "
                                                  f"{verdict.rule or verdict.why})" if verdict.category else "")]
    if verdict.evidence:
        lines.append(f"  evidence: “{verdict.evidence}”")
    if verdict.source == "veto":
        lines.append(f"  vetoed: {verdict.why} (score {verdict.score})")
    for sign in red_flags().signs(messages):
        status = "cancelled by " + "; ".join(map(str, sign.cancelled_by)) if sign.cancelled_by else "counts"
        lines.append(f"  {sign.rule.id} [{sign.group}] “{sign.words}”: {status}")
    if opinion is not None and (judged := opinion.judge(messages)) is not None:
        lines.append(f"  learned: red flag {judged.score:.2f} (raise at {opinion.thresholds['raise']}), emergency "
                     f"{judged.emergency:.2f} (steps held back from {opinion.thresholds['hold']}); most like "
                     f"{judged.category}: “{judged.quote[:80]}” reads like “{judged.exemplar}”"
                     + (f"; cues: {', '.join(sorted(judged.cues))}" if judged.cues else ""))
    return "\n".join(lines)
