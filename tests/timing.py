"""Speed bounds as ratios to a baseline measured in the same run: CI machines are noisy and absolute
times drift, but a pathological input costs hundreds of ordinary questions, not a few."""

from __future__ import annotations

import time
from collections.abc import Callable

from assistant import Assistant

# Misspelt and non-English words build the spelling lookups and load the language detector on their
# first use; a timing starts after both.
WARM_UP = ("wat streches r gud 4 my lowr bak", "¿Qué ejercicios ayudan con el dolor lumbar?")
# What an input may cost at most, in ordinary questions: a 200,000-character question costs ~100 here
# (each is read to its end for red flags); a super-linear pattern costs thousands.
MAX_RATIO = 400


def fastest(call: Callable[[], object], runs: int) -> float:
    """Best of a few runs, in seconds: the least disturbed by whatever else the machine is doing."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def ordinary_question_seconds(bot: Assistant) -> float:
    """What an everyday question costs this bot in this run, lazy parts already built; each run asks a
    slightly different question so no cached vector is reused."""
    for question in WARM_UP:
        bot.ask(question)
    runs = iter(range(5))
    return fastest(lambda: bot.ask(f"how do I do the bridge {next(runs)}?"), 5)
