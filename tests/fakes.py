"""A deterministic stand-in for the embedding model, so most tests need no torch and run in milliseconds."""

from __future__ import annotations

import hashlib

import numpy as np

from assistant.text import tokenize


class HashingEmbedder:
    """Bag of stemmed words and character trigrams hashed into 384 dimensions, L2-normalised."""

    name = "test/hashing-embedder"
    dimension = 384
    fingerprint = "hashing-v1"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        self.calls += 1
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in tokenize(text):
                for feature in (token, *(token[j:j + 3] for j in range(max(len(token) - 2, 1)))):
                    bucket = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest(), "little")
                    rows[i, bucket % self.dimension] += 1.0
            norm = np.linalg.norm(rows[i])
            rows[i] = rows[i] / norm if norm else rows[i]
        return rows
