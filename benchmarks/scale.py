"""Scale: `python -m assistant build` on a synthetic corpus, then search and recall on what it built."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.manifest import read_manifest
from assistant.settings import Settings
from benchmarks.process import ROOT, run_probe
from benchmarks.stats import Spread, cpu_stall_s
from benchmarks.synthetic import vocabulary, write_corpus

PROBES = "benchmarks.scale_probes"


@dataclass(frozen=True)
class ScaleFigures:
    chunks: int
    vectors: int
    index_type: str
    build_chunks_per_s: float
    bare_chunks_per_s: Spread
    views_per_chunk: float
    load_s: float
    rss_mb: float
    search_p50: Spread
    recall_questions: float
    recall_held_out: float
    vector_p50_approximate: Spread
    vector_p50_exact: Spread
    graph_build_s: float
    build_s: float
    build_contention: float | None
    """Share of the build's time that some runnable task waited for a CPU: the contention behind its noise."""


def measure(chunks: int, questions: list[str], runs: int, sample: int, held_out: int,
            keep: Path | None = None) -> ScaleFigures:
    """Write the corpus, build it with the CLI as a user would, then probe the result.

    All in a temporary folder, unless `keep` names a folder to leave the corpus and index in (to probe
    the same index again with other code).
    """
    with tempfile.TemporaryDirectory(prefix="assistant-scale-") as temp:
        root = keep or Path(temp)
        write_corpus(root / "corpus", chunks, vocabulary(Settings()))
        env = {"ASSISTANT_CORPUS_DIR": str(root / "corpus"), "ASSISTANT_INDEX_DIR": str(root / "index")}
        bare = run_probe(PROBES, "bare_batch", {"corpus": str(root / "corpus"), "sample": sample,
                                                 "runs": runs})
        stalled = cpu_stall_s()
        build_s = build(env)
        contention = None if stalled is None else (cpu_stall_s() - stalled) / build_s
        manifest = read_manifest(root / "index")
        if manifest is None:
            raise RuntimeError(f"the build wrote no manifest in {root / 'index'}")
        searched = run_probe(PROBES, "search", {"questions": questions, "runs": runs}, env=env)
        recall = run_probe(PROBES, "recall", {"questions": questions, "runs": runs, "seed": 7,
                                              "held_out": held_out}, env=env)
    return ScaleFigures(
        chunks=manifest.chunk_count, vectors=manifest.vector_count, index_type=manifest.index_type,
        build_chunks_per_s=manifest.chunk_count / build_s, build_s=build_s, build_contention=contention,
        graph_build_s=recall["graph_build_s"],
        bare_chunks_per_s=Spread.of(bare["chunks_per_s"]),
        views_per_chunk=bare["views_per_chunk"], load_s=searched["load_s"], rss_mb=searched["rss_mb"],
        search_p50=Spread.of(searched["p50_s"]).scaled(1000), recall_questions=recall["recall_questions"],
        recall_held_out=recall["recall_held_out"],
        vector_p50_approximate=Spread.of(recall["p50_approximate_s"]).scaled(1000),
        vector_p50_exact=Spread.of(recall["p50_exact_s"]).scaled(1000))


def build(env: dict[str, str]) -> float:
    """Seconds of `python -m assistant build`, spawn to exit: parse, chunk, embed, index, export, save."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "build"], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"python -m assistant build failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started
