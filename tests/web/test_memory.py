"""The serving process's bound on malloc arenas, seen through glibc's own report of its heaps."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Eight threads allocate at once, as the server's workers do under load; glibc then reports its heaps.
HEAPS = """
import ctypes, sys, tempfile, threading
from assistant.web.memory import limit_malloc_arenas
print(limit_malloc_arenas() if sys.argv[1] == "limited" else None)
together = threading.Barrier(8)
kept = []
def allocate():
    together.wait()
    kept.append([bytearray(50_000) for _ in range(50)])
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile("r") as report:
    stream = ctypes.c_void_p(libc.fopen(report.name.encode(), b"w"))
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(report.read().count("<heap nr="))
"""


def heaps(mode: str, **env: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", HEAPS, mode], capture_output=True, text=True, check=True,
                         env={**os.environ, **env})
    return run.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is what is bounded")
def test_threads_allocating_at_once_share_two_arenas():
    assert heaps("limited") == ["True", "2"]
    unlimited = heaps("unlimited")
    assert int(unlimited[1]) > 2, unlimited


def test_an_operators_malloc_arena_max_is_left_to_glibc():
    assert heaps("limited", MALLOC_ARENA_MAX="4")[0] == "False"
