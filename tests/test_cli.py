"""The command line end to end, in a subprocess, on a private index folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model


def run(*args: str, index_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_build_then_ask_then_search(tmp_path: Path):
    index_dir = tmp_path / "index"
    built = run("build", index_dir=index_dir)
    assert built.returncode == 0, built.stderr
    assert "27 chunks" in built.stderr and (index_dir / "manifest.json").exists()

    asked = run("ask", "what helps lower back pain?", index_dir=index_dir)
    assert asked.returncode == 0, asked.stderr
    assert "Child's Pose" in asked.stdout and "Piriformis Stretch" in asked.stdout
    assert "not medical advice" in asked.stdout

    as_json = json.loads(run("ask", "--json", "knee hug", index_dir=index_dir).stdout)
    assert as_json["kind"] == "answer" and as_json["sources"][0]["chunk_id"] == "relieve/knee-to-chest"

    searched = run("search", "glute bridge", "-k", "3", index_dir=index_dir)
    lines = searched.stdout.strip().splitlines()
    assert len(lines) == 3 and "strengthen/bridge" in lines[0]


def test_a_corrupt_index_gives_the_rebuild_command_and_exit_code_2(tmp_path: Path):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "manifest.json").write_text("garbage")
    result = run("ask", "bridge", index_dir=index_dir)
    assert result.returncode == 2
    assert "manifest.json" in result.stderr and "python -m assistant build" in result.stderr
