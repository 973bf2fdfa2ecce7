"""The chunk prior: which part of the corpus a question is about, learned from labelled questions.

A multinomial logistic regression from the question's vector to chunk ids, trained at index build from the
blind writers' questions with the parts they expect and from every chunk's own views (title, names, steps,
sentences), so a clinic's added document has a prior from its own text and still ranks by retrieval alone.
Retrieval adds `PRIOR_WEIGHT` times its probability to each chunk's fused score (see `retrieve.py`).

The prior re-ranks within the document retrieval puts first, as each chunk's share of that document. The
writers asked about the bundled article only, so the prior knows which part of it a question is about, not
which document: over all chunks, their many questions pulled "what stretches can I do at my desk?" to the
article's relief list over a clinic's own desk-stretches handout, and a prior normalised per document lifted
the handout's few chunks over the article's (113 of 126 labelled questions on target, from 122). With one
document nothing changes.
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
class Placement:
    """Where an index's chunks sit in the prior: each one's class (-1 for none) and its document's number."""

    columns: np.ndarray
    documents: np.ndarray


@dataclass(frozen=True)
class ChunkPrior:
    model: Softmax

    @classmethod
    def fit(cls, rows: np.ndarray, labels: Sequence[str], weights: np.ndarray, c: float) -> ChunkPrior:
        return cls(Softmax.fit(rows, labels, c, weights))

    def place(self, chunks: Sequence[Chunk]) -> Placement:
        """The placement of these chunks, in this order."""
        classes = {name: i for i, name in enumerate(self.model.classes)}
        documents = {name: i for i, name in enumerate(dict.fromkeys(c.document for c in chunks))}
        return Placement(np.array([classes.get(c.chunk_id, -1) for c in chunks]),
                         np.array([documents[c.document] for c in chunks]))

    def probabilities(self, vector: np.ndarray, placement: Placement, leading: int) -> np.ndarray:
        """Each chunk's prior within the document of chunk `leading` (retrieval's first), 0 elsewhere and for
        chunks without a class, in the placement's order."""
        found = self.model.probabilities(vector.astype(np.float64))
        same = (placement.columns >= 0) & (placement.documents == placement.documents[leading])
        prior = np.where(same, found[placement.columns], 0.0)
        return prior / max(float(prior.sum()), np.finfo(np.float64).tiny)

    def to_dict(self) -> dict[str, Any]:
        return self.model.to_dict()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], dimension: int) -> ChunkPrior:
        return cls(Softmax.from_dict(data, dimension))
