"""Measurements on a large built index, each run by `process.run_probe` in a fresh process."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.process import Probe, serve
from benchmarks.stats import p50, rss_mb
from benchmarks.synthetic import vocabulary

RECALL_AT = 5


def bare_batch(args: dict[str, Any]) -> dict[str, Any]:
    """Chunks per second of sentence-transformers encoding the very texts a build embeds, nothing else."""
    from assistant.corpus import load_corpus
    from assistant.embed import SentenceTransformerEmbedder
    from assistant.index import chunk_views

    chunks = load_corpus(Path(args["corpus"])).chunks
    titles = {c.chunk_id: c.title for c in chunks}
    sample = chunks[: args["sample"]]
    texts = [view for chunk in sample for view in chunk_views(chunk, titles)]
    embedder = SentenceTransformerEmbedder()
    embedder.encode(texts[:64])
    rates = []
    for _ in range(args["runs"]):
        started = time.perf_counter()
        embedder.encode(texts)
        rates.append(len(sample) / (time.perf_counter() - started))
    return {"chunks_per_s": rates, "views_per_chunk": len(texts) / len(sample)}


def search(args: dict[str, Any]) -> dict[str, Any]:
    """Start-up, memory and `search()` p50 on the index the environment names; new questions each run."""
    from assistant import Assistant

    started = time.perf_counter()
    bot = Assistant.load()
    load_s = time.perf_counter() - started
    p50s = []
    for run in range(args["runs"]):
        latencies = []
        for question in args["questions"]:
            started = time.perf_counter()
            bot.search(f"{question} {run}", k=5)
            latencies.append(time.perf_counter() - started)
        p50s.append(p50(latencies))
    return {"load_s": load_s, "p50_s": p50s, "rss_mb": rss_mb(os.getpid()),
            "chunks": len(bot.built.chunks), "vectors": int(bot.built.vectors.ntotal),
            "index_type": bot.manifest.index_type, "embedder": type(bot.embedder).__name__}


def recall(args: dict[str, Any]) -> dict[str, Any]:
    """recall@5 and p50 of the approximate index against exact search over the same vectors, and the
    seconds it takes to build the approximate index (the build's share that encoding is not).

    Queries are the labelled questions and held-out sentences drawn like the corpus (another seed).
    A flat index built small is compared with the graph `vector_index` would build above the threshold.
    """
    import faiss

    from assistant import Assistant
    from assistant.index import vector_index
    from assistant.retrieve import DENSE_CANDIDATES
    from assistant.settings import Settings

    bot = Assistant.load()
    vectors = bot.built.vectors.reconstruct_n(0, bot.built.vectors.ntotal)
    started = time.perf_counter()
    graph = vector_index(vectors, approximate_above=0)[0]
    graph_build_s = time.perf_counter() - started
    approximate = graph if bot.manifest.index_type == "flat-ip" else bot.built.vectors
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    words, rng = vocabulary(Settings()), random.Random(args["seed"])
    held_out = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 14)))
                for _ in range(args["held_out"])]
    figures: dict[str, Any] = {"vectors": int(exact.ntotal), "graph_build_s": graph_build_s}
    for name, texts in (("questions", args["questions"]), ("held_out", held_out)):
        queries = bot.embedder.encode(texts)
        found = approximate.search(queries, RECALL_AT)[1]
        truth = exact.search(queries, RECALL_AT)[1]
        figures[f"recall_{name}"] = float(np.mean([len(set(a) & set(t)) / RECALL_AT
                                                  for a, t in zip(found, truth, strict=True)]))
    queries = bot.embedder.encode(args["questions"])
    for name, index in (("approximate", approximate), ("exact", exact)):
        figures[f"p50_{name}_s"] = [_search_p50(index, queries, DENSE_CANDIDATES)
                                    for _ in range(args["runs"])]
    return figures


def _search_p50(index: Any, queries: np.ndarray, k: int) -> float:
    latencies = []
    for query in queries:
        started = time.perf_counter()
        index.search(query.reshape(1, -1), k)
        latencies.append(time.perf_counter() - started)
    return p50(latencies)


PROBES: dict[str, Probe] = {"bare_batch": bare_batch, "search": search, "recall": recall}


if __name__ == "__main__":
    serve(PROBES)
