"""Logistic regressions trained with scikit-learn at index build and served with numpy from plain weights.

Training standardises the features, fits, then folds the scaling into the weights, so serving is one dot
product (or one small matrix product for several classes) and never imports scikit-learn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# A detector's class for "none of the others".
NONE = "none"


def folded(pipeline: Any) -> tuple[np.ndarray, np.ndarray]:
    """Weights (one row per class; one row in all for two classes) and biases on raw features: the scaler
    of a (StandardScaler, LogisticRegression) pipeline folded into the regression."""
    scaler, model = pipeline[0], pipeline[1]
    weights = model.coef_ / scaler.scale_
    return weights, model.intercept_ - (model.coef_ * scaler.mean_ / scaler.scale_).sum(axis=1)


def fit_folded(rows: np.ndarray, labels: np.ndarray, c: float, weights: np.ndarray | None = None,
               balanced: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The classes, weights and biases of a regularised logistic regression on standardised features.

    One BLAS thread: on this 2-core machine, shared with other work, threads made each fit 5-10x slower.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    pipeline = make_pipeline(StandardScaler(), LogisticRegression(
        C=c, class_weight="balanced" if balanced else None, max_iter=5000))
    with threadpool_limits(1):
        pipeline.fit(rows, labels, logisticregression__sample_weight=weights)
    coef, bias = folded(pipeline)
    return pipeline[1].classes_, coef, bias


@dataclass(frozen=True)
class Softmax:
    """A multinomial logistic regression over named classes, served with numpy."""

    classes: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray

    @classmethod
    def fit(cls, rows: np.ndarray, labels: Sequence[str], c: float, weights: np.ndarray | None = None,
            balanced: bool = False) -> Softmax:
        classes, coef, bias = fit_folded(rows, np.asarray(labels), c, weights, balanced)
        if len(classes) < 3:
            raise ValueError(f"a softmax needs three classes or more, not {list(classes)}")
        return cls(tuple(str(c) for c in classes), coef, bias)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """One probability per class, in the order of `classes` (for a matrix of rows, one such row each)."""
        logits = rows @ self.weights.T + self.bias
        exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return exp / exp.sum(axis=-1, keepdims=True)

    def to_dict(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "weights": np.round(self.weights, 7).tolist(),
                "bias": np.round(self.bias, 7).tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], dimension: int) -> Softmax:
        """Checks the stored shapes fit the classes and the features this code computes."""
        weights = np.asarray(data["weights"], dtype=np.float64)
        bias = np.asarray(data["bias"], dtype=np.float64)
        classes = tuple(data["classes"])
        if weights.shape != (len(classes), dimension) or bias.shape != (len(classes),):
            raise ValueError(f"a softmax of {weights.shape} weights does not fit {len(classes)} classes "
                             f"of {dimension} features")
        return cls(classes, weights, bias)


@dataclass(frozen=True)
class Detector:
    """A softmax with a `none` class: a row is the likeliest other class only when `none` is less likely
    than `threshold` (chosen on held-out questions for a rate of false finds)."""

    model: Softmax
    threshold: float

    def detect(self, row: np.ndarray) -> str | None:
        probabilities = self.model.probabilities(row)
        none = self.model.classes.index(NONE)
        if probabilities[none] >= self.threshold:
            return None
        probabilities[none] = -1.0
        return self.model.classes[int(np.argmax(probabilities))]

    def to_dict(self) -> dict[str, Any]:
        return {**self.model.to_dict(), "threshold": self.threshold}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], dimension: int) -> Detector:
        model = Softmax.from_dict(data, dimension)
        if NONE not in model.classes:
            raise ValueError("a detector needs a 'none' class")
        return cls(model, float(data["threshold"]))
