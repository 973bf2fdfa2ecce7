"""Where a REST answer is computed: on the event loop only when nothing else can be waiting for the loop."""

from __future__ import annotations

import asyncio
import threading

from assistant.web.answering import INLINE_MAX_QUESTION_CHARS, QUIET_S, Answering

SHORT = "how do I do the bridge?"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def thread_of(answering: Answering, question: str = SHORT, history_messages: int = 0) -> threading.Thread:
    """The thread the answer ran in, for one call on an event loop of its own."""
    async def one() -> threading.Thread:
        return await answering.run(threading.current_thread, question, history_messages)

    return asyncio.run(one())


def test_a_lone_opening_question_is_answered_on_the_event_loop():
    assert thread_of(Answering(Clock())) is threading.current_thread()


def test_questions_that_may_hold_the_loop_long_go_to_a_worker():
    """A conversation, or a long question, can take tens of milliseconds; every other request would wait."""
    assert thread_of(Answering(Clock()), history_messages=2) is not threading.current_thread()
    long = "x" * (INLINE_MAX_QUESTION_CHARS + 1)
    assert thread_of(Answering(Clock()), question=long) is not threading.current_thread()
    assert thread_of(Answering(Clock()), question="x" * INLINE_MAX_QUESTION_CHARS) is threading.current_thread()


def test_a_question_right_after_another_goes_to_a_worker():
    """Requests that waited behind an answer on the loop arrive just after it: they must not take the loop in
    turn, one after another, or a burst would be answered one at a time."""
    clock = Clock()
    answering = Answering(clock)
    assert thread_of(answering) is threading.current_thread()
    clock.now += QUIET_S / 2
    assert thread_of(answering) is not threading.current_thread()
    clock.now += 2 * QUIET_S
    assert thread_of(answering) is threading.current_thread()


def test_a_question_while_another_is_answered_goes_to_a_worker():
    answering = Answering(Clock())
    release = threading.Event()

    async def both() -> tuple[threading.Thread, threading.Thread]:
        first = asyncio.create_task(answering.run(lambda: release.wait(5) and threading.current_thread(),
                                                  SHORT * 20, 0))
        while answering.running == 0:
            await asyncio.sleep(0)
        second = await answering.run(threading.current_thread, SHORT, 0)
        release.set()
        return await first, second

    first, second = asyncio.run(both())
    assert first is not threading.current_thread() and second is not threading.current_thread()
    assert answering.running == 0


def test_an_answer_that_raises_leaves_the_counts_right():
    clock = Clock()
    answering = Answering(clock)

    def fails() -> None:
        raise ValueError("refused")

    async def run() -> None:
        await answering.run(fails, SHORT, 0)

    try:
        asyncio.run(run())
    except ValueError:
        pass
    else:
        raise AssertionError("the answer's error was swallowed")
    assert answering.running == 0 and answering.last_done == clock.now
