"""Run one measurement in a fresh interpreter and read back the JSON line it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Probe = Callable[[dict[str, Any]], dict[str, Any]]


def run_probe(module: str, name: str, args: dict[str, Any], env: dict[str, str] | None = None,
              timeout: float = 7200) -> dict[str, Any]:
    """`python -m module name args`; `wall_s` is spawn to exit, as a user waits for it.

    A fresh process per measurement keeps torch's and ONNX Runtime's thread pools, caches and
    imports from leaking from one measurement into the next.
    """
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", module, name, json.dumps(args)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{module} {name} failed:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall_s": wall}


def serve(probes: dict[str, Probe]) -> None:
    """The `__main__` of a probe module: run the probe named on the command line, print its JSON."""
    print(json.dumps(probes[sys.argv[1]](json.loads(sys.argv[2]))))
