"""Query vectors, cached: retrieval and the learned red-flag opinion share one encoding per text."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from assistant.embed import Embedder


class QueryVectors:
    """A thread-safe LRU of read-only text vectors; uncached texts of one call are encoded in one batch."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def one(self, text: str) -> np.ndarray:
        return self.many([text])[0]

    def many(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
                vector.setflags(write=False)
                found[text] = vector
            with self._lock:
                for text in missing:
                    self._cache[text] = found[text]
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([found[t] for t in texts])
