"""A bound on glibc's malloc arenas in the serving process.

glibc gives each thread that allocates concurrently an arena of its own (up to 8 per core), and an arena's
freed memory is rarely handed back. Under 16 clients the server's worker threads grew resident memory from
387 to 471 MB before it levelled off; with two arenas set from `app.py` it went from 365 to 406 MB, at the same
throughput (issue 13, docs/deploy.md). The standard `MALLOC_ARENA_MAX` variable, when an operator sets it, wins.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

MALLOC_ARENAS = 2
# mallopt's parameter number for the arena limit, from glibc's malloc.h.
M_ARENA_MAX = -8


def limit_malloc_arenas(count: int = MALLOC_ARENAS) -> bool:
    """Cap the arenas before any worker thread starts; False where glibc is absent or the operator chose."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    return hasattr(libc, "mallopt") and libc.mallopt(M_ARENA_MAX, count) == 1
