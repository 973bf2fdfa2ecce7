"""`import assistant` stays light: no torch, no sentence-transformers, no Gradio."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "gradio", "transformers", "faiss")


def test_import_assistant_pulls_in_nothing_heavy():
    code = ("import sys, time; t = time.perf_counter(); import assistant; "
            f"print(time.perf_counter() - t); print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    seconds, heavy = float(out[0]), out[1]
    print(f"import assistant: {seconds * 1000:.0f} ms")
    assert heavy == ""
    assert seconds < 1.0
