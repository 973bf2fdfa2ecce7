"""Where a REST answer is computed: on the event loop when the server has nothing else to do, else in a worker.

Handing an answer to a worker thread and back costs two thread wake-ups and two turns of the event loop:
0.4-0.8 ms of an 8 ms answer on this machine, most of what REST added to `ask()` (issue 13, docs/deploy.md).
A worker is still needed whenever something else may be waiting, because an answer computed on the loop
holds every other request (and `/healthz`) until it is done. So an answer runs on the loop only when all of
these hold; otherwise it goes to a worker thread, as before:
- no other REST answer is being computed;
- the last one ended at least `QUIET_S` ago: requests that waited behind an answer on the loop come in
  right after it, and so go to workers, instead of each holding the loop in turn;
- it is bounded: an opening question (no history) of at most `INLINE_MAX_QUESTION_CHARS`, about 25 ms
  at the most here (a question's cost grows with its length: 300 characters took 33 ms, 1,000 took 97 ms).
Chat answers run in Gradio's own worker threads and are not counted: one REST answer on the loop delays their
streamed replies by at most as long.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

QUIET_S = 0.002
INLINE_MAX_QUESTION_CHARS = 200

Result = TypeVar("Result")


class Answering:
    """Runs answers on the loop or in a worker thread (see the module's docstring). Used from the event loop
    only, so its counts need no lock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.running = 0
        self.last_done = -math.inf

    def on_loop(self, question: str, history_messages: int) -> bool:
        return (self.running == 0 and history_messages == 0 and len(question) <= INLINE_MAX_QUESTION_CHARS
                and self.clock() - self.last_done >= QUIET_S)

    async def run(self, answer: Callable[[], Result], question: str, history_messages: int) -> Result:
        on_loop = self.on_loop(question, history_messages)
        self.running += 1
        try:
            return answer() if on_loop else await run_in_threadpool(answer)
        finally:
            self.running -= 1
            self.last_done = self.clock()
