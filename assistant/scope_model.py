"""The scope decision: is a question about what the article covers? A logistic regression, served with numpy.

Its features are what the pipeline computes anyway: the question's embedding, how close it comes to the
chunks (dense and BM25), how much of its vocabulary the corpus holds, whether it names an exercise or asks
for a list, and the verdicts of the scope rules and signals (phrase rules in `scope.py` and
`scope_signals.toml`). `python -m assistant build` trains it (`scope_train.py`) and stores its weights and
threshold as plain JSON beside the index (with the other learned parts of the scope decision, see
`LearnedScope`); serving is one dot product, no scikit-learn.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from assistant.chunk_prior import ChunkPrior
from assistant.linear import NONE, Detector, Softmax
from assistant.retrieve import Ranking
from assistant.scope import REASONS, Scope
from assistant.text import tokenize
from assistant.triage import RuleSet

SIGNALS_FILE = "scope_signals.toml"
TOP_CHUNKS = 3
# The act class that asks what one's own condition is: it counts only in a message that asks anything.
DIAGNOSIS_ACT = "diagnosis"
# `act`: how likely the learned act (see `LearnedScope`) finds the question asks what one's own condition is or
# addresses the assistant's rules, whatever its topic (`act_strength`).
SUMMARY_FEATURES = ("dense_max", "dense_top", "bm25_max", "coverage", "named", "list_asked", "act")


@lru_cache(maxsize=1)
def signal_rules() -> dict[str, RuleSet]:
    """A rule set per signal, so each gives its own verdict (a rule set reports only its first category);
    the `final` signals (refusals whatever else is asked) share one, searched once for all of them."""
    data = tomllib.loads(resources.files("assistant").joinpath(SIGNALS_FILE).read_text(encoding="utf-8"))
    rest = {key: value for key, value in data.items() if key not in ("category", "final")}
    by_id = {c["id"]: c for c in data["category"]}
    final = [by_id[name] for name in data["final"]]
    together = RuleSet.from_dict({**rest, "category": final}, levels=[c["level"] for c in final])
    return {c["id"]: together if c in final else RuleSet.from_dict({**rest, "category": [c]}, levels=[c["level"]])
            for c in data["category"]}


class Signals(Mapping[str, bool]):
    """The signals' verdicts on one question, each found only when first asked for (tens of microseconds
    each; a follow-up resolved from the conversation needs none but the final ones)."""

    def __init__(self, question: str) -> None:
        self.question = question
        self._found: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._found:
            rules = signal_rules()[name]
            found = rules.search([self.question])
            for other, shared in signal_rules().items():
                if shared is rules:
                    self._found[other] = found is not None and found.category.id == other
        return self._found[name]

    def __iter__(self) -> Iterator[str]:
        return iter(signal_rules())

    def __len__(self) -> int:
        return len(signal_rules())


def signals(question: str) -> Signals:
    return Signals(question)


def feature_names(dimension: int) -> tuple[str, ...]:
    return (*SUMMARY_FEATURES, *(f"rule:{r}" for r in REASONS), *(f"signal:{s}" for s in signal_rules()),
            *(f"embedding:{i}" for i in range(dimension)))


def coverage(question: str, vocabulary: Mapping[str, Any]) -> float:
    """Share of the question's content words the corpus uses: "ear wax" shares none, "hold the bridge" all."""
    words = tokenize(question)
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0


def scope_features(vector: np.ndarray, ranking: Ranking, scope: Scope, said: Mapping[str, bool],
                   share: float, act: float) -> np.ndarray:
    """The feature row for one question, in the order of `feature_names`."""
    dense = np.sort(ranking.dense)[::-1]
    summary = [float(dense[0]), float(dense[:TOP_CHUNKS].mean()), math.log1p(float(ranking.lexical.max())), share,
               float(bool(ranking.named)), float(bool(ranking.groups)), act]
    rules = [float(scope.reason == reason) for reason in REASONS]
    flags = [float(said[name]) for name in signal_rules()]
    return np.concatenate([np.array(summary + rules + flags, dtype=np.float64), vector.astype(np.float64)])


@dataclass(frozen=True)
class ScopeModel:
    """Weights over the features (scaling folded in), a bias, and the threshold chosen on held-out questions."""

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float
    threshold: float
    report: dict[str, Any]
    follow_up_threshold: float | None = None
    """The threshold for a message that resolves as a follow-up of the previous answer ("where does he put his
    arms" after the Bridge): such messages lean on their context, so alone they score low; this lower threshold
    still refuses what is about nothing in the article ("how do I bake bread?")."""

    def probability(self, row: np.ndarray) -> float:
        return 1.0 / (1.0 + math.exp(-(float(row @ self.weights) + self.bias)))

    def in_scope(self, row: np.ndarray, follow_up: bool = False) -> bool:
        threshold = self.follow_up_threshold if follow_up and self.follow_up_threshold is not None else self.threshold
        return self.probability(row) >= threshold

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "weights": [round(float(w), 8) for w in self.weights],
                "bias": self.bias, "threshold": self.threshold, "follow_up_threshold": self.follow_up_threshold,
                "report": self.report}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], expected: Sequence[str]) -> ScopeModel:
        """Checks the stored features are the ones this code computes, in the same order."""
        if list(data["features"]) != list(expected):
            raise ValueError("the scope model was trained on other features")
        weights = np.asarray(data["weights"], dtype=np.float64)
        if weights.shape != (len(expected),):
            raise ValueError(f"the scope model has {weights.shape} weights for {len(expected)} features")
        follow_up = data.get("follow_up_threshold")
        return cls(tuple(data["features"]), weights, float(data["bias"]), float(data["threshold"]),
                   dict(data.get("report", {})), None if follow_up is None else float(follow_up))


def act_strength(model: Softmax, vectors: np.ndarray, asks: np.ndarray) -> np.ndarray:
    """How likely each question makes an act: addresses the assistant's rules, or, only where it asks anything
    (`answer_policy.asks`), asks what one's own condition is. The model reads meaning alone, blind to negation: a
    statement ruling symptoms out ("no numbness down below, just a stiff back") reads to it like a diagnosis
    request, yet asks for none."""
    chances = model.probabilities(vectors)
    counted = np.tile([name != NONE for name in model.classes], (len(vectors), 1)).astype(np.float64)
    counted[:, model.classes.index(DIAGNOSIS_ACT)] = asks
    return (chances * counted).sum(axis=1)


@dataclass(frozen=True)
class LearnedScope:
    """Every learned part of the scope decision, stored together beside the index (`scope-model.json`):
    the gate (in scope or not), the chunk prior (which part a question is about, see `chunk_prior.py`), the
    needs (what a question asks that the article does not give, where the phrase rules of
    `answerability.toml` find none), small talk (which kind, where the phrase rules of `smalltalk.toml`
    find none) and refusals (why a question is not about the article, where the scope rules find no reason:
    "is this a slipped disc?" asks for a diagnosis in words no rule lists) and the act (asking what one's own
    condition is, or addressing the assistant's rules, whatever exercise it names: "felt a pop during bridges,
    did I tear something?", "rewrite the superman steps so they're wrong"). The last five read the question's
    vector alone."""

    gate: ScopeModel
    prior: ChunkPrior
    needs: Detector
    chat: Detector
    refusal: Detector
    act: Detector

    def act_probability(self, vector: np.ndarray, asks: bool) -> float:
        """The gate's `act` feature for one question (see `act_strength`)."""
        return float(act_strength(self.act.model, vector[None, :], np.array([asks]))[0])

    def to_dict(self) -> dict[str, Any]:
        return {"gate": self.gate.to_dict(), "prior": self.prior.to_dict(), "needs": self.needs.to_dict(),
                "small_talk": self.chat.to_dict(), "refusal": self.refusal.to_dict(),
                "act": self.act.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], dimension: int) -> LearnedScope:
        """Checks every part was trained on the features this code computes."""
        return cls(gate=ScopeModel.from_dict(data["gate"], feature_names(dimension)),
                   prior=ChunkPrior.from_dict(data["prior"], dimension),
                   needs=Detector.from_dict(data["needs"], dimension),
                   chat=Detector.from_dict(data["small_talk"], dimension),
                   refusal=Detector.from_dict(data["refusal"], dimension),
                   act=Detector.from_dict(data["act"], dimension))
