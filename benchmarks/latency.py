"""Latency, start-up and memory in process: ours against bare sentence-transformers, runs interleaved."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.process import run_probe
from benchmarks.stats import Spread, ratios
from benchmarks.workload import DATA

PROBES = "benchmarks.probes"
# How far a source's score may move between the encoders for an answer to count as the same: their vectors agree
# within 2e-7, which moves a score by about 1e-6 (it is shown to six places).
SCORE_TOLERANCE = 1e-5


@dataclass(frozen=True)
class Comparison:
    """One target: our figure, its baseline, and the run-by-run ratio between them."""

    name: str
    ours: Spread
    baseline: Spread
    ratio: Spread
    unit: str


def _compare(name: str, ours: list[float], baseline: list[float], unit: str,
             scale: float = 1.0) -> Comparison:
    return Comparison(name, Spread.of(ours).scaled(scale), Spread.of(baseline).scaled(scale),
                      ratios(ours, baseline), unit)


def ask_latency(questions: list[str], runs: int) -> tuple[Comparison, dict[str, Spread]]:
    """`ask()` p50 against the bare sentence-transformers encode of the same questions, and the resident
    memory of each process: ours, and the naive stack (sentence-transformers, corpus embedded at start)."""
    ours, baseline, memory = [], [], {"assistant": [], "naive": []}
    for _ in range(runs):
        naive = run_probe(PROBES, "naive_stack", {"questions": questions})
        mine = run_probe(PROBES, "assistant_ask", {"questions": questions})
        baseline.append(naive["p50_s"])
        ours.append(mine["p50_s"])
        memory["naive"].append(naive["rss_mb"])
        memory["assistant"].append(mine["rss_mb"])
    rss = {name: Spread.of(values) for name, values in memory.items()}
    return _compare("ask() p50 vs bare sentence-transformers encode p50", ours, baseline, "ms", 1000), rss


def cold_start(question: str, runs: int) -> tuple[Comparison, Spread, list[str]]:
    """A fresh process to its first answer, against import + load + encode once of sentence-transformers."""
    ours, baseline, imports, heavy = [], [], [], set()
    for _ in range(runs):
        baseline.append(run_probe(PROBES, "naive_cold", {"question": question})["wall_s"])
        mine = run_probe(PROBES, "assistant_cold", {"question": question})
        if mine["torch_imported"]:
            heavy.add("torch")
        ours.append(mine["wall_s"])
        probe = run_probe(PROBES, "import_time", {})
        imports.append(probe["seconds"])
        heavy.update(probe["heavy"])
    comparison = _compare("fresh process to first answer vs import+load+encode of sentence-transformers",
                          ours, baseline, "s")
    return comparison, Spread.of(imports), sorted(heavy)


def answers_unchanged(limit: int | None = None) -> tuple[int, int, list[str]]:
    """How many labelled answers (single questions, conversation turns) are identical with either encoder, their
    sources' scores within SCORE_TOLERANCE; and which encoders answered, so a run that never used ONNX cannot pass
    for one that did."""
    runs = [run_probe(PROBES, "answers", {"encoder": encoder, "data": str(DATA), "limit": limit})
            for encoder in ("torch", "default")]
    same = sum(a == b and len(x) == len(y) and all(abs(u - v) <= SCORE_TOLERANCE for u, v in zip(x, y, strict=True))
               for a, b, x, y in zip(runs[0]["digests"], runs[1]["digests"], runs[0]["scores"], runs[1]["scores"],
                                     strict=True))
    return same, len(runs[0]["digests"]), [r["embedder"] for r in runs]
