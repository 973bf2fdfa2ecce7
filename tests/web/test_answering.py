"""Where a REST answer is computed: on the event loop only when nothing else can be waiting for the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from assistant.web.answering import INLINE_MAX_QUESTION_CHARS, QUIET_S, Answering

SHORT = "how do I do the bridge?"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def in_own_loop(main: Coroutine[Any, Any, Any]) -> Any:
    """`main` run on an event loop of its own, in a thread of its own: a browser test may have left an event loop
    running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main).result()


def ran_on_loop(answering: Answering, question: str = SHORT, history_messages: int = 0) -> bool:
    """Whether one answer ran in the event loop's own thread."""
    async def one() -> bool:
        loop_thread = threading.current_thread()
        return await answering.run(threading.current_thread, question, history_messages) is loop_thread

    return in_own_loop(one())


def test_a_lone_opening_question_is_answered_on_the_event_loop():
    assert ran_on_loop(Answering(Clock()))


def test_questions_that_may_hold_the_loop_long_go_to_a_worker():
    """A conversation, or a long question, can take tens of milliseconds; every other request would wait."""
    assert not ran_on_loop(Answering(Clock()), history_messages=2)
    assert not ran_on_loop(Answering(Clock()), question="x" * (INLINE_MAX_QUESTION_CHARS + 1))
    assert ran_on_loop(Answering(Clock()), question="x" * INLINE_MAX_QUESTION_CHARS)


def test_a_question_right_after_another_goes_to_a_worker():
    """Requests that waited behind an answer on the loop arrive just after it: they must not take the loop in
    turn, one after another, or a burst would be answered one at a time."""
    clock = Clock()
    answering = Answering(clock)
    assert ran_on_loop(answering)
    clock.now += QUIET_S / 2
    assert not ran_on_loop(answering)
    clock.now += 2 * QUIET_S
    assert ran_on_loop(answering)


def test_a_question_while_another_is_answered_goes_to_a_worker():
    answering = Answering(Clock())
    release = threading.Event()

    async def both() -> tuple[bool, bool]:
        loop_thread = threading.current_thread()
        first = asyncio.create_task(answering.run(lambda: release.wait(5) and threading.current_thread(),
                                                  SHORT * 20, 0))
        while answering.running == 0:
            await asyncio.sleep(0)
        second = await answering.run(threading.current_thread, SHORT, 0)
        release.set()
        return await first is loop_thread, second is loop_thread

    assert in_own_loop(both()) == (False, False)
    assert answering.running == 0


def test_an_answer_that_raises_leaves_the_counts_right():
    clock = Clock()
    answering = Answering(clock)

    def fails() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        in_own_loop(answering.run(fails, SHORT, 0))
    assert answering.running == 0 and answering.last_done == clock.now
