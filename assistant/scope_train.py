"""Train the scope model at index build time (scikit-learn is needed here only, never to serve).

In scope: the questions in `scope_training/in_scope.txt` plus text drawn from the corpus itself (titles,
summaries, steps, "how do I do …?"), so a clinic's added document is in scope without new labels. Out of
scope: `out_of_scope.txt` and the training halves of the real consumer and MedQuAD questions
(`assistant.real_questions` keeps the other halves for reporting only).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.records import Chunk
from assistant.scope import check_scope
from assistant.scope_model import ScopeModel, coverage, feature_names, scope_features, signals
from assistant.spelling import Speller, spelling_rules
from assistant.text import RETRIEVAL_CHARS, clean
from assistant.vectors import QueryVectors

if TYPE_CHECKING:
    from assistant.embed import Embedder
    from assistant.index import BuiltIndex

IN_SCOPE_FILES = ("in_scope.txt",)
OUT_OF_SCOPE_FILES = ("out_of_scope.txt", "consumer-train.txt", "medquad-train.txt")
# The corpus's own sentences as in-scope examples, at most this many (evenly spread), so a 100k-chunk corpus
# does not drown the written questions.
MAX_CORPUS_EXAMPLES = 400
# The threshold lets at most this share of held-out in-scope questions fall below it (the issue's ≤ 1%).
IN_SCOPE_LOSS = 0.01
FOLDS = 5
# Regularisation strength: 0.1 had the lowest held-out log loss of 0.03, 0.1, 0.3 and 1 with the bundled
# model and training files (fixed rather than searched at every build, which took seconds per test index).
C = 0.1
SEED = 0


# Everything the model's training examples and features are read from: a change to any of them makes the
# index stale, so the model is retrained rather than served against rules it was not trained with. The
# rule engine's modules are here because the rules' verdicts are features.
TRAINING_SOURCES = ("scope.py", "scope_signals.toml", "spelling.toml", "scope_train.py", "scope_model.py",
                    "triage/rules.py", "triage/context.py", "triage/phrases.py", "triage/reading.py",
                    "text.py", "fuzzy.py")


def training_fingerprint() -> str:
    """A hash of the training files and of the code and rules that compute the features."""
    package = resources.files("assistant")
    digest = hashlib.sha256()
    names = [*TRAINING_SOURCES, *(f"scope_training/{n}" for n in (*IN_SCOPE_FILES, *OUT_OF_SCOPE_FILES))]
    for name in names:
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def _lines(name: str) -> list[str]:
    text = resources.files("assistant").joinpath("scope_training", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def corpus_examples(chunks: tuple[Chunk, ...]) -> list[str]:
    """What the corpus itself answers, phrased as its headings, summaries and steps say it."""
    found: list[str] = []
    for chunk in chunks:
        found.append(chunk.title)
        if chunk.kind in ("exercise", "mention"):
            found += [f"how do I do the {chunk.title.lower()}?", *chunk.steps[:2], *chunk.aliases[:2]]
        if chunk.summary:
            found.append(chunk.summary)
    found = list(dict.fromkeys(f for f in found if f))
    if len(found) > MAX_CORPUS_EXAMPLES:
        found = [found[i] for i in np.linspace(0, len(found) - 1, MAX_CORPUS_EXAMPLES).astype(int)]
    return found


def training_set(chunks: tuple[Chunk, ...]) -> tuple[list[str], np.ndarray]:
    inside = [q for name in IN_SCOPE_FILES for q in _lines(name)] + corpus_examples(chunks)
    outside = [q for name in OUT_OF_SCOPE_FILES for q in _lines(name)]
    return inside + outside, np.array([1] * len(inside) + [0] * len(outside))


def feature_rows(built: BuiltIndex, embedder: Embedder, texts: list[str]) -> np.ndarray:
    """The serving features of each text: spelling fixed, ranked against the index, rules read."""
    from assistant.retrieve import Retriever

    speller = Speller(built.chunks, spelling_rules())
    raws = [clean(t) for t in texts]
    queries = [speller.correct(r[:RETRIEVAL_CHARS]) for r in raws]
    # The serving cache, filled in one batch: every query below is then a cache hit.
    vectors = QueryVectors(embedder, len(queries))
    vectors.many(queries)
    retriever = Retriever(built, vectors.one)
    rows = [scope_features(vectors.one(q), retriever.rank(q), check_scope(r), signals(q),
                           coverage(q, retriever.bm25.idf)) for r, q in zip(raws, queries, strict=True)]
    return np.vstack(rows)


def train_scope_model(built: BuiltIndex, embedder: Embedder) -> ScopeModel:
    """The model for this corpus and encoder, trained once per process (tests build the same index often)."""
    key = (built.manifest.corpus_hash, embedder.name, str(getattr(embedder, "fingerprint", "")))
    if key not in _TRAINED:
        _TRAINED[key] = fit_scope_model(built, embedder)
    return _TRAINED[key]


_TRAINED: dict[tuple[str, str, str], ScopeModel] = {}


def folded(pipeline: Any) -> tuple[np.ndarray, float]:
    """Weights and bias on raw features: the scaler folded into the logistic regression, so serving is one dot."""
    scaler, model = pipeline[0], pipeline[1]
    weights = model.coef_[0] / scaler.scale_
    return weights, float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scaler.scale_))


def fit_scope_model(built: BuiltIndex, embedder: Embedder) -> ScopeModel:
    """Fit, pick the threshold on held-out folds, refit on everything, and fold the scaling into the weights."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    texts, labels = training_set(built.chunks)
    rows = feature_rows(built, embedder, texts)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)

    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=5000))
    held_out = cross_val_predict(pipeline, rows, labels, cv=folds, method="predict_proba")[:, 1]
    inside = held_out[labels == 1]
    threshold = float(np.quantile(inside, IN_SCOPE_LOSS, method="lower"))
    weights, bias = folded(pipeline.fit(rows, labels))
    report = {"in_scope": int(labels.sum()), "out_of_scope": int((labels == 0).sum()), "C": C,
              "held_out_in_scope_lost": float(np.mean(inside < threshold)),
              "held_out_out_of_scope_passed": float(np.mean(held_out[labels == 0] >= threshold))}
    return ScopeModel(feature_names(rows.shape[1] - len(feature_names(0))), weights, bias, threshold, report)
