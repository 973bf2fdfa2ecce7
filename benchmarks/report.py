"""Run every benchmark of issue 6 and print each target as a ratio against its baseline from the same run."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import latency, replicas, scale, serve
from benchmarks.postgres import start_postgres
from benchmarks.process import run_probe
from benchmarks.stats import Spread, ratios, rss_mb
from benchmarks.workload import labelled_questions


@dataclass(frozen=True)
class Plan:
    """How much to measure: `make bench` runs the full plan, CI the smoke plan."""

    runs: int = 5
    cold_runs: int = 5
    questions: int | None = None
    clients: int = 16
    load_s: float = 30.0
    chunks: int = 100_000
    sample: int = 1_000
    held_out: int = 300
    answers: int | None = None
    """Labelled items per file compared between the encoders; None compares all of them."""
    voters: int = 4
    """Of the clients, how many chat on one replica and vote on the other (the two-replica benchmark)."""
    replica_slice_s: float = 5.0
    """The two-replica benchmark loads the recording pair and the baseline pair in turn, this long each."""


SMOKE = Plan(runs=1, cold_runs=1, questions=8, clients=4, load_s=3.0, chunks=300, sample=30, held_out=20,
             answers=6, voters=1, replica_slice_s=1.5)


def _ratio_line(name: str, ours: Spread, baseline: Spread, ratio: Spread, unit: str, target: str,
                digits: int = 1) -> str:
    return (f"{name}\n    {ours.show(unit, digits)}  vs  baseline {baseline.show(unit, digits)}\n"
            f"    ratio {ratio.median:.2f}× ({ratio.low:.2f}–{ratio.high:.2f})   target {target}")


def _share(fraction: float | None) -> str:
    return "(not reported by this kernel)" if fraction is None else f"{fraction:.0%}"


def measure_serving(plan: Plan, questions: list[str], figures: dict[str, Any],
                    emit: Callable[[str], None]) -> None:
    """POST /api/ask against in-process ask(), then many clients at once; the server's memory throughout."""
    with serve.server() as (port, pid):
        serve.request_p50(port, [f"{q} warm" for q in questions[:10]])
        http, local = [], []
        for run in range(plan.runs):
            # Both sides ask the same texts, new to each, in turn: the ratio then measures serving, not wording
            # or the state of the machine.
            asked = [f"{q} {run}" for q in questions]
            both = run_probe(latency.PROBES, "rest_alongside", {"questions": asked, "port": port})
            local.append(both["local_p50_s"])
            http.append(both["http_p50_s"])
        figures["serving_rss_mb"] = rss_mb(pid)
        emit(_ratio_line("POST /api/ask p50 vs in-process ask() p50", Spread.of(http).scaled(1000),
                         Spread.of(local).scaled(1000), ratios(http, local), "ms", "≤ 1.2×"))
        single = run_probe(latency.PROBES, "assistant_rate", {"questions": questions,
                                                               "seconds": min(plan.load_s, 10.0)})["per_s"]
        # Warm-up: the server's worker threads, buffers and query cache grow here, not in the measured load.
        serve.load(port, pid, questions, plan.clients, min(plan.load_s / 3, 5.0))
        result = serve.load(port, pid, questions, plan.clients, plan.load_s)
    figures["http_p50_ms"], figures["load"] = Spread.of(http).scaled(1000), asdict(result)
    figures["load"].update(per_s=result.per_s, single_thread_per_s=single, memory_growth=result.memory_growth)
    emit(
        f"{plan.clients} clients for {plan.load_s:.0f} s on loopback\n"
        f"    {result.completed} requests, {result.errors} errors; {result.per_s:.0f} answers/s vs "
        f"{single:.0f}/s in process on one thread: ratio {result.per_s / single:.2f}×   "
        f"target ≥ 0.8×, 0 errors\n"
        f"    /healthz: {result.health_checks} checks, {result.health_failures} failed, "
        f"slowest {result.health_worst_s * 1000:.0f} ms\n"
        f"    serving RSS {result.rss_start_mb:.0f} → {result.rss_end_mb:.0f} MB "
        f"(growth {result.memory_growth * 100:+.1f}%)   target < 5%")


def measure_replicas(plan: Plan, questions: list[str], figures: dict[str, Any], emit: Callable[[str], None]) -> None:
    """Two replicas recording to one PostgreSQL against two recording nothing, under the same load in turn."""
    cluster = start_postgres()
    try:
        recording, baseline = replicas.run(cluster, plan.clients, plan.voters, plan.load_s, plan.replica_slice_s,
                                           questions)
    finally:
        cluster.remove()
    ratio = recording.p50_ms / baseline.p50_ms
    figures["replicas"] = {"recording": recording.summary(), "baseline": baseline.summary(), "p50_ratio": ratio}
    emit(f"Two replicas on one PostgreSQL, {plan.clients} clients ({plan.voters} voting on the other replica) "
         f"for {recording.seconds:.0f} s a side\n"
         f"    POST /api/ask p50 {recording.p50_ms:.1f} ms recording vs {baseline.p50_ms:.1f} ms recording nothing: "
         f"ratio {ratio:.2f}×   target ≤ 1.1×\n"
         f"    {recording.requests + recording.chat_answers} answers, {recording.errors} errors "
         f"(baseline {baseline.errors}); votes {recording.votes_stored}/{recording.votes_sent} stored, "
         f"replies {recording.replies_stored}/{recording.requests + recording.chat_answers} stored   "
         f"target 0 errors, every vote")


def run(plan: Plan, emit: Callable[[str], None], keep: Path | None = None) -> dict[str, Any]:
    """Measure everything in `plan`, handing each finished target's lines to `emit`; return every figure."""
    questions = labelled_questions(plan.questions)
    figures: dict[str, Any] = {"plan": asdict(plan), "cpus": os.cpu_count(),
                               "python": platform.python_version()}
    emit(f"Issue 6 benchmarks on {os.cpu_count()} CPUs: medians of several runs, (min–max) is the noise.")

    ask, rss = latency.ask_latency(questions, plan.runs)
    same, total, encoders = latency.answers_unchanged(plan.answers)
    figures.update(ask=asdict(ask), rss_mb={k: asdict(v) for k, v in rss.items()},
                   answers_unchanged=[same, total], encoders=encoders)
    emit(_ratio_line(ask.name, ask.ours, ask.baseline, ask.ratio, ask.unit, "≤ 0.5× (stretch 0.3×)"))
    emit(f"    answers identical with {encoders[1]} and {encoders[0]}: {same}/{total} labelled answers")

    cold, imports, heavy = latency.cold_start(questions[0], plan.cold_runs)
    figures.update(cold=asdict(cold), import_s=asdict(imports), heavy_on_import=heavy)
    emit(_ratio_line(cold.name, cold.ours, cold.baseline, cold.ratio, cold.unit,
                     "≤ 0.3× (stretch 0.15×)", digits=2))
    emit(f"    import assistant: {imports.show('s', 3)}   target < 0.3 s; "
         f"heavy modules imported: {', '.join(heavy) or 'none'}")

    measure_serving(plan, questions, figures, emit)
    measure_replicas(plan, questions, figures, emit)
    naive, mine = rss["naive"].median, rss["assistant"].median
    emit(f"Resident memory vs the naive stack (sentence-transformers, corpus embedded at start) "
         f"{rss['naive'].show('MB', 0)}\n"
         f"    serving process (app.py, loaded and warm) {figures['serving_rss_mb']:.0f} MB: ratio "
         f"{figures['serving_rss_mb'] / naive:.2f}×   goal ≤ 0.5×\n"
         f"    in-process Assistant {rss['assistant'].show('MB', 0)}: ratio {mine / naive:.2f}×")

    big = scale.measure(plan.chunks, questions, plan.runs, plan.sample, plan.held_out, keep)
    figures["scale"] = asdict(big)
    emit(
        f"Scale: {big.chunks:,} chunks, {big.vectors:,} vectors ({big.views_per_chunk:.1f} per chunk), "
        f"index {big.index_type}\n"
        f"    build {big.build_chunks_per_s:.0f} chunks/s vs bare batch encoding of the same texts "
        f"{big.bare_chunks_per_s.show('chunks/s', 0)}: ratio "
        f"{big.build_chunks_per_s / big.bare_chunks_per_s.median:.2f}×\n"
        f"    (build {big.build_s:.0f} s, of which building the HNSW graph takes {big.graph_build_s:.0f} s; "
        f"runnable tasks waited for a CPU {_share(big.build_contention)} of that time)\n"
        f"    search() p50 {big.search_p50.show('ms')} (vs ask() p50 on the bundled corpus "
        f"{ask.ours.median:.1f} ms); load {big.load_s:.1f} s, RSS {big.rss_mb:.0f} MB\n"
        f"    vector search p50 {big.vector_p50_approximate.show('ms', 2)} vs exact "
        f"{big.vector_p50_exact.show('ms', 2)}: ratio "
        f"{big.vector_p50_approximate.median / big.vector_p50_exact.median:.2f}×\n"
        f"    recall@5 against exact search: labelled questions {big.recall_questions:.3f}, "
        f"held-out corpus-like text {big.recall_held_out:.3f}   target ≥ 0.95")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the benchmarks run (CI)")
    parser.add_argument("--chunks", type=int, help="synthetic corpus size for the scale benchmark")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--keep", type=Path, help="leave the synthetic corpus and its index in this folder")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else Plan()
    if args.chunks:
        plan = Plan(**{**asdict(plan), "chunks": args.chunks})
    figures = run(plan, lambda text: print(text, flush=True), args.keep)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    return 0
