"""BM25 over chunk text, tokenized by `text.tokenize` (which forgives plurals and common endings)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.text import tokenize


class BM25:
    """Okapi BM25 (k1=1.5, b=0.75) over a fixed list of documents.

    Postings (the documents holding each term, with its counts) make a question cost what its terms
    occur in, not what the corpus holds: at 100k chunks, scanning every document per term took ~90 ms.
    """

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        docs = [Counter(tokenize(d)) for d in documents]
        self.lengths = np.array([sum(d.values()) for d in docs], dtype=np.float64)
        self.avg_length = float(self.lengths.mean()) if len(docs) else 0.0
        self.norm = k1 * (1 - b + b * self.lengths / max(self.avg_length, 1e-9))
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for row, doc in enumerate(docs):
            for term, count in doc.items():
                rows, counts = postings.setdefault(term, ([], []))
                rows.append(row)
                counts.append(count)
        self.postings = {t: (np.array(rows, dtype=np.int64), np.array(counts, dtype=np.float64))
                         for t, (rows, counts) in postings.items()}
        n = len(docs)
        self.idf = {t: math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
                    for t, (rows, _) in self.postings.items()}

    def scores(self, query: str) -> np.ndarray:
        scores = np.zeros(len(self.lengths), dtype=np.float64)
        for term in set(tokenize(query)):
            if term not in self.postings:
                continue
            rows, tf = self.postings[term]
            scores[rows] += self.idf[term] * tf * (self.k1 + 1) / (tf + self.norm[rows])
        return scores
