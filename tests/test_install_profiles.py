"""Two install profiles: `assistant[serve]` answers from a shipped index without the build tools (torch and
its ~800 MB), `assistant[build]` builds the index. A serve-only environment is this one with every module
of the build extra made unimportable."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# What the build tools pull in for themselves and serving must not need either.
BUILD_ONLY_DEPENDENCIES = {"transformers"}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def build_modules() -> list[str]:
    """The top-level modules the build extra's distributions install, as this environment has them."""
    build = _names(PROJECT["optional-dependencies"]["build"])
    owners = packages_distributions()
    return sorted({module for module, dists in owners.items() if {d.lower() for d in dists} & build}
                  | BUILD_ONLY_DEPENDENCIES)


# Runs in a fresh interpreter: refuses the build modules, then answers in Python and over the REST API.
SERVE_ONLY = """
import importlib.abc, json, sys
BLOCKED = set(sys.argv[1].split(","))

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (serve-only install)")

sys.meta_path.insert(0, NotInstalled())
from fastapi.testclient import TestClient
from assistant import Assistant, Settings
from assistant.web.server import create_app

bot = Assistant.load(Settings.load(config=sys.argv[2]) if sys.argv[2] else None)
in_python = bot.ask("how do I do the bridge?")
with TestClient(create_app(bot)) as client:
    over_http = client.post("/api/ask", json={"question": "how do I do the bridge?"})
print(json.dumps({"python": in_python.to_dict()["chunk_ids"], "status": over_http.status_code,
                  "http": over_http.json().get("chunk_ids"),
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)}))
"""


def _serve_only(config: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.run([sys.executable, "-c", SERVE_ONLY, ",".join(build_modules()), config],
                          capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)


def test_the_serve_profile_leaves_the_build_tools_out():
    serving = _names(PROJECT["dependencies"]) | _names(PROJECT["optional-dependencies"]["serve"])
    build = _names(PROJECT["optional-dependencies"]["build"])
    assert {"torch", "sentence-transformers", "scikit-learn", "onnx"} <= build
    assert not serving & build
    assert "torch==2.13.0" in PROJECT["optional-dependencies"]["build"], "torch stays pinned to the CPU build"
    assert {"torch", "sentence_transformers", "sklearn", "onnx"} <= set(build_modules())


def test_a_serve_only_environment_answers_from_the_shipped_index():
    run = _serve_only()
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {"python": ["strengthen/bridge"], "status": 200, "http": ["strengthen/bridge"], "loaded": []}


def test_a_serve_only_environment_says_what_to_install_when_the_index_must_be_built(tmp_path: Path):
    config = tmp_path / "settings.toml"
    config.write_text(f'corpus_dir = "{ROOT / "corpus"}"\nindex_dir = "{tmp_path / "no-index"}"\n', encoding="utf-8")
    run = _serve_only(str(config))
    assert run.returncode != 0
    assert "pip install 'assistant[build]'" in run.stderr
