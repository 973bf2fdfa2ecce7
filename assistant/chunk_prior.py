"""The chunk prior: which part of the corpus a question is about, learned from labelled questions.

A multinomial logistic regression from the question's vector to chunk ids, trained at index build from the
blind writers' questions with the parts they expect and from every chunk's own views (title, names, steps,
sentences), so a clinic's added document has a prior from its own text and still ranks by retrieval alone.
Retrieval adds `PRIOR_WEIGHT` times its probability to each chunk's fused score (see `retrieve.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.linear import Softmax
from assistant.records import Chunk

# Added to the fused score as this times the prior's probability. Reciprocal-rank fusion gives about 0.025 to
# a chunk first in both rankings, a named exercise 1.0 and a list request 0.5: a confident prior (p near 1)
# overrules the fused order but never a name or a list. Leave-one-writer-out on six writers' questions put
# 0.858 of them on an expected part without the prior, 0.925 at 0.05, 0.930 at 0.1 and 0.2 (0.1 kept
# tests/data's questions at 0.984).
PRIOR_WEIGHT = 0.1


def chunk_examples(chunks: Sequence[Chunk]) -> list[tuple[str, str]]:
    """Each chunk's own words as examples of questions about it: its title, names, steps and sentences."""
    from assistant.index import chunk_views

    titles = {c.chunk_id: c.title for c in chunks}
    found: list[tuple[str, str]] = []
    for chunk in chunks:
        asked = [f"how do I do the {chunk.title.lower()}?"] if chunk.kind in ("exercise", "mention") else []
        texts = [chunk.title, *chunk.aliases, *asked, *chunk_views(chunk, titles)[1:]]
        found += [(text, chunk.chunk_id) for text in dict.fromkeys(t for t in texts if t)]
    return found


@dataclass(frozen=True)
class ChunkPrior:
    model: Softmax

    @classmethod
    def fit(cls, rows: np.ndarray, labels: Sequence[str], weights: np.ndarray, c: float) -> ChunkPrior:
        return cls(Softmax.fit(rows, labels, c, weights))

    def columns(self, chunk_ids: Sequence[str]) -> np.ndarray:
        """For each chunk in this order, its class (or -1 for a chunk the prior has no class for)."""
        place = {name: i for i, name in enumerate(self.model.classes)}
        return np.array([place.get(chunk_id, -1) for chunk_id in chunk_ids])

    def probabilities(self, vector: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """The prior of each chunk (0 for those without a class), in the order `columns` was made for."""
        found = self.model.probabilities(vector.astype(np.float64))
        return np.where(columns >= 0, found[columns], 0.0)

    def to_dict(self) -> dict[str, Any]:
        return self.model.to_dict()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], dimension: int) -> ChunkPrior:
        return cls(Softmax.from_dict(data, dimension))
