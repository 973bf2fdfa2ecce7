"""`python -m benchmarks --smoke` runs every benchmark end to end at tiny sizes; no timing is asserted."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.model

TARGETS = (
    "ask() p50 vs bare sentence-transformers encode p50",
    "fresh process to first answer",
    "import assistant",
    "POST /api/ask p50 vs in-process ask() p50",
    "clients for",
    "Two replicas on one PostgreSQL",
    "Resident memory vs the naive stack",
    "Scale:",
    "recall@5 against exact search",
)


def test_smoke_run_prints_every_target_and_its_correctness_figures_hold(tmp_path: Path):
    figures_file = tmp_path / "figures.json"
    command = [sys.executable, "-m", "benchmarks", "--smoke", "--json", str(figures_file)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    for target in TARGETS:
        assert target in run.stdout, f"the report lacks {target!r}"
    figures = json.loads(figures_file.read_text(encoding="utf-8"))
    ratios = [figures["ask"]["ratio"]["median"], figures["cold"]["ratio"]["median"],
              figures["load"]["per_s"] / figures["load"]["single_thread_per_s"]]
    assert all(math.isfinite(r) and r > 0 for r in ratios)
    same, total = figures["answers_unchanged"]
    assert total > 20 and same == total
    assert figures["encoders"] == ["SentenceTransformerEmbedder", "OnnxEmbedder"]
    assert figures["heavy_on_import"] == []
    assert figures["load"]["errors"] == 0 and figures["load"]["health_failures"] == 0
    assert figures["load"]["health_checks"] > 0
    replicas = figures["replicas"]["recording"]
    assert replicas["errors"] == 0 and figures["replicas"]["baseline"]["errors"] == 0
    assert replicas["votes_stored"] == replicas["votes_sent"] > 0
    scale = figures["scale"]
    assert scale["chunks"] >= 300 and scale["vectors"] > scale["chunks"]
    assert scale["recall_questions"] >= 0.95 and scale["recall_held_out"] >= 0.95
