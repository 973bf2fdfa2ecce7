"""The learned second opinion: a logistic regression, trained on many writers, over what a message means and what
the rules saw in it.

Each message of a conversation is one row: its MiniLM vector (the one retrieval already computes), how close its
sentences come to each category's exemplars (red_flag_exemplars.toml), and the rules' evidence (evidence.py)
for the message and for the whole conversation, so facts told in different messages combine. A conversation
scores as its most worrying message. The weights are plain arrays (`red_flag_model.npz`) with a metadata file
(`red_flag_model.json`: columns, thresholds, training-data hash, encoder fingerprint, out-of-writer figures),
written by `python -m assistant train-triage`. Serving is numpy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from assistant.text import RETRIEVAL_CHARS
from assistant.triage.evidence import evidence, evidence_names
from assistant.triage.exemplars import Exemplars, exemplars
from assistant.triage.policy import red_flags
from assistant.triage.rules import Conversation

MODEL_FILE = "red_flag_model"
MIN_UNIT_WORDS = 4  # a shorter sentence ("ok thanks") says too little to compare with an exemplar
MAX_UNITS = 12  # sentences per message compared with the exemplars: bounds the cost of a pasted wall
VECTOR_DIMENSION = 384
SYMPTOMS_COLUMN = "conversation.symptom.affirmed"
Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Unit:
    """A message whole (as retrieval encodes it) or one of its sentences, with the user's words to quote."""

    text: str
    quote: str
    span: tuple[int, int] | None = None  # the sentence's tokens in the read message; None for the whole


def units(message: str) -> list[Unit]:
    """The message whole first, then its sentences of MIN_UNIT_WORDS words or more when it has two or more."""
    text = red_flags().read([message])
    if not text:
        return []
    read = text[0]
    whole = Unit(read.original[:RETRIEVAL_CHARS], read.original.strip())
    spans, lo = [], 0
    for end in [*read.sentence_ends, len(read.words)]:
        if end - lo >= MIN_UNIT_WORDS:
            spans.append((lo, end))
        lo = end + 1
    if len(spans) < 2:
        return [whole]
    return [whole, *(Unit(q, q, (lo, hi)) for lo, hi in spans[:MAX_UNITS] if (q := read.span_text(lo, hi).strip()))]


def own_units(messages: Sequence[str], per_message: Sequence[list[Unit]]) -> list[list[bool]]:
    """Per message, which of its units tell of the user rather than of someone else (`Context.someone_elses`:
    a sentence naming a person or a pet, through the rule file's experiencer cues, with no "I" or "my"). A
    one-sentence message is judged whole; a message whose every sentence is someone else's is someone else's."""
    rules = red_flags()
    texts = rules.read(messages)
    holds = Conversation(texts, rules).has_own
    out = []
    for text, us in zip(texts, per_message, strict=True):
        sentences = [not rules.context.someone_elses(text, *u.span, holds) for u in us[1:] if u.span]
        whole = any(sentences) if sentences else not rules.context.someone_elses(text, 0, len(text.words), holds)
        out.append([whole, *sentences])
    return out


def feature_names(data: Exemplars | None = None) -> list[str]:
    """The columns of a row of `Featurizer.rows`, in order: a model file records them and must match."""
    data = data or exemplars()
    categories = list(dict.fromkeys(cid for cid, _ in data.rows))
    names = [f"vector.{i}" for i in range(VECTOR_DIMENSION)]
    names += [f"closest.{c}" for c in categories] + [f"margin.{c}" for c in categories]
    rules = evidence_names(red_flags())
    return names + [f"message.{n}" for n in rules] + [f"conversation.{n}" for n in rules]


class Featurizer:
    """Turns a conversation into one row of features per message, with the caller's (cached) encoder."""

    def __init__(self, encode: Encode, exemplar_vectors: np.ndarray | None = None, data: Exemplars | None = None):
        self.data = data or exemplars()
        self.encode = encode
        self._exemplar_vectors = exemplar_vectors
        self.categories = list(dict.fromkeys(cid for cid, _ in self.data.rows))
        labels = np.array([cid for cid, _ in self.data.rows])
        self._masks = [labels == c for c in self.categories]

    @property
    def exemplar_vectors(self) -> np.ndarray:
        if self._exemplar_vectors is None:
            self._exemplar_vectors = self.encode(self.data.texts)
        return self._exemplar_vectors

    def texts(self, messages: Sequence[str]) -> list[str]:
        """Every text the rows need encoded (for encoding a whole training set in one batch)."""
        return [u.text for m in messages for u in units(m)]

    def rows(self, messages: Sequence[str]) -> tuple[np.ndarray, list[list[Unit]], np.ndarray]:
        """Features (one row per non-empty message), the units of each message and their exemplar cosines."""
        rules = red_flags()
        kept = [m for m in messages if isinstance(m, str) and m.strip()]
        if not kept:
            return np.zeros((0, len(feature_names(self.data))), np.float32), [], np.zeros((0, 0), np.float32)
        conversation = evidence(rules, kept)
        per_message = [units(m) for m in kept]
        own = own_units(kept, per_message)
        if any(o[0] for o in own):
            # Someone else's messages ("my son broke his arm") say nothing of the user's own red flags: no row.
            kept, per_message, own = (list(x) for x in zip(*((m, u, o) for m, u, o in zip(kept, per_message, own,
                                                                                            strict=True) if o[0]),
                                                        strict=True))
        else:  # nothing of the user's own: they ask for someone else, whose signs count as theirs would
            own = [[True] * len(o) for o in own]
        flat = [u.text for us in per_message for u in us]
        vectors = self.encode(flat)
        exemplar = self.exemplar_vectors
        n = len(self.data.rows)
        sims = vectors @ exemplar.T
        out, start = [], 0
        for message, us, mine in zip(kept, per_message, own, strict=True):
            block = sims[start:start + len(us)]
            vector = vectors[start]
            if not all(mine):
                # Only the user's own sentences are compared with the exemplars and stand for the message.
                block = block[[i for i, m in enumerate(mine) if m and i > 0]]
                vector = vectors[start:start + len(us)][[i for i, m in enumerate(mine) if m and i > 0]].mean(axis=0)
                vector = vector / max(float(np.linalg.norm(vector)), 1e-9)
            # units x categories: each unit's best cosine to each category's exemplars
            closest = np.stack([block[:, :n][:, mask].max(axis=1) for mask in self._masks], axis=1)
            contrast = block[:, n:].max(axis=1, keepdims=True) if block.shape[1] > n else np.full((len(block), 1), -1.0)
            out.append(np.concatenate([vector, closest.max(axis=0), (closest - contrast).max(axis=0),
                                       evidence(rules, [message]), conversation]).astype(np.float32))
            start += len(us)
        return np.stack(out), per_message, sims


@dataclass(frozen=True)
class Model:
    """A multinomial logistic regression over standardised features: class 0 is "none", the others categories."""

    classes: tuple[str, ...]
    columns: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # features x classes
    bias: np.ndarray
    meta: dict[str, Any]

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def score(self, rows: np.ndarray) -> float:
        """A conversation's probability of a red flag: that of its most worrying message."""
        return float((1.0 - self.probabilities(rows)[:, 0]).max())

    def emergency(self, probabilities: np.ndarray) -> tuple[float, str]:
        """The probability of an emergency, all emergency categories together, at the message where it is highest,
        and the likeliest of them there. A message split between two emergency categories, or read first as an
        urgent one, is still likely an emergency (out of writer, holding by this rather than by the top category
        covered more emergencies for as many held conversations: issue 9, stop 23)."""
        columns = [i for i, c in enumerate(self.classes) if c in emergency_categories()]
        mass = probabilities[:, columns].sum(axis=1)
        best = int(np.argmax(mass))
        return float(mass[best]), self.classes[columns[int(np.argmax(probabilities[best, columns]))]]

    def save(self, folder: Path) -> None:
        np.savez(folder / f"{MODEL_FILE}.npz", mean=self.mean, scale=self.scale, weights=self.weights, bias=self.bias)
        meta = {**self.meta, "classes": list(self.classes), "columns": list(self.columns)}
        (folder / f"{MODEL_FILE}.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Model:
        meta = json.loads((folder / f"{MODEL_FILE}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"{MODEL_FILE}.npz", allow_pickle=False) as arrays:
            return cls(tuple(meta.pop("classes")), tuple(meta.pop("columns")), arrays["mean"], arrays["scale"],
                       arrays["weights"], arrays["bias"], meta)


@lru_cache(maxsize=1)
def emergency_categories() -> frozenset[str]:
    return frozenset(c.id for c in red_flags().categories if c.level == "emergency")


def bundled_folder() -> Path:
    return Path(str(resources.files("assistant")))


@lru_cache(maxsize=1)
def bundled_model() -> Model | None:
    """The committed model, or None when there is none."""
    folder = bundled_folder()
    return Model.load(folder) if (folder / f"{MODEL_FILE}.json").exists() else None


@dataclass(frozen=True)
class Judgement:
    """The learned opinion of a conversation: how likely a red flag is, which, and the user's words behind it."""

    score: float  # probability of any red flag, at the most worrying message
    category: str
    probability: float  # of that category, at that message
    quote: str  # the sentence of that message closest to the category's exemplars
    exemplar: str
    cues: frozenset[str]  # context cue classes whose words occur in the conversation
    symptoms: bool = False  # symptom words ([words].symptoms) that no context cue reaches: the user's own, now
    emergency: float = 0.0  # probability of an emergency category, all together (`Model.emergency`)
    emergency_category: str | None = None  # the likeliest emergency category where that is highest


class LearnedOpinion:
    """Scores conversations with the bundled model; usable only with the encoder it was trained on."""

    def __init__(self, model: Model, encode: Encode, exemplar_vectors: np.ndarray | None = None) -> None:
        self.model = model
        self.features = Featurizer(encode, exemplar_vectors)
        if list(model.columns) != feature_names(self.features.data):
            raise ValueError(f"{MODEL_FILE}.json was trained on other feature columns: retrain it with "
                             "`python -m assistant train-triage`")
        self.thresholds: dict[str, float] = model.meta["thresholds"]

    @classmethod
    def for_encoder(cls, encoder: Any, encode: Encode, exemplar_vectors: np.ndarray | None = None
                    ) -> LearnedOpinion | None:
        """The bundled model when `encoder` is the one it was trained with (same name and weights), else None."""
        model = bundled_model()
        if model is None or model.meta.get("encoder") != {"name": getattr(encoder, "name", None),
                                                           "fingerprint": getattr(encoder, "fingerprint", None)}:
            return None
        return cls(model, encode, exemplar_vectors)

    def judge(self, messages: Sequence[str]) -> Judgement | None:
        rows, per_message, sims = self.features.rows(messages)
        if not len(rows):
            return None
        probabilities = self.model.probabilities(rows)
        scores = 1.0 - probabilities[:, 0]
        best = int(np.argmax(scores))
        column = 1 + int(np.argmax(probabilities[best, 1:]))
        category = self.model.classes[column]
        start = sum(len(u) for u in per_message[:best])
        data = self.features.data
        rows_of = np.array([cid == category for cid, _ in data.rows] + [False] * len(data.contrast))
        block = sims[start:start + len(per_message[best])][:, rows_of]
        unit, exemplar = np.unravel_index(int(np.argmax(block)), block.shape)
        texts = [text for cid, text in data.rows if cid == category]
        columns = dict(zip(self.model.columns, rows[0], strict=True))
        cues = frozenset(name.removeprefix("conversation.cue.") for name, value in columns.items()
                         if name.startswith("conversation.cue.") and value > 0)
        emergency, emergency_category = self.model.emergency(probabilities)
        return Judgement(float(scores[best]), category, float(probabilities[best, column]),
                         per_message[best][int(unit)].quote, texts[int(exemplar)], cues,
                         bool(columns[SYMPTOMS_COLUMN] > 0), emergency, emergency_category)
