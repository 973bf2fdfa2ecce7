"""Chat sessions expire: Gradio keeps each session's state until it has 10,000 of them, none by age."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import datetime
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import gradio as gr

# How often expired sessions are looked for; a session lives at most this much past its limit.
SWEEP_EVERY_S = 30.0


def limit_sessions(chat: gr.Blocks, max_sessions: int) -> None:
    """Gradio's own cap on live sessions (the least recently used goes first); set before mounting."""
    chat.state_session_capacity = max_sessions


def expire_idle(chat: gr.Blocks, idle_seconds: float, now: datetime.datetime | None = None) -> int:
    """Forget every session not used for `idle_seconds`, and the queue's bookkeeping for it; returns how
    many. Reads Gradio's state holder and queue, which have no public expiry."""
    holder = chat.state_holder
    cutoff = (now or datetime.datetime.now()) - datetime.timedelta(seconds=idle_seconds)
    with holder.lock:
        idle = [s for s, used in holder.time_last_used.items() if used < cutoff]
        for session in idle:
            holder.session_data.pop(session, None)
            holder.time_last_used.pop(session, None)
    queue = chat._queue
    for session in idle:
        if not queue.pending_event_ids_session.get(session):
            queue.pending_event_ids_session.pop(session, None)
            queue.pending_messages_per_session.pop(session, None)
    return len(idle)


def release_freed_memory() -> None:
    """Hand memory freed by expired sessions back to the system. glibc keeps freed blocks of a few
    kilobytes (a conversation's messages) in its heaps: after 80 sessions of 1 MB expired, the
    server stayed 66 MB above where it started until trimmed. Elsewhere this does nothing."""
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    if trim is not None:
        trim(0)


def expiring_sessions(chat: gr.Blocks, idle_seconds: float):
    """A FastAPI lifespan that sweeps idle sessions while the server runs."""

    @asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        async def sweep() -> None:
            while True:
                await asyncio.sleep(min(SWEEP_EVERY_S, idle_seconds))
                if expire_idle(chat, idle_seconds):
                    release_freed_memory()

        task = asyncio.create_task(sweep())
        try:
            yield
        finally:
            task.cancel()

    return lifespan
