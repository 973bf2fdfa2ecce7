"""Chat sessions are forgotten after their idle time, and Gradio's own cap on their number is set."""

from __future__ import annotations

import datetime

from gradio.state_holder import StateHolder

from assistant import Assistant
from assistant.web import sessions
from assistant.web.chat import build_chat
from assistant.web.events import EventRecorder


def test_idle_sessions_expire_and_recent_ones_stay(fake_bot: Assistant):
    chat = build_chat(fake_bot, EventRecorder(None, fake_bot.settings))
    sessions.limit_sessions(chat, 50)
    assert chat.state_session_capacity == 50
    StateHolder().set_blocks(chat)  # as mounting does
    holder = chat.state_holder
    for n in range(5):
        holder[f"old-{n}"]
    now = datetime.datetime.now()
    for n in range(5):
        holder.time_last_used[f"old-{n}"] = now - datetime.timedelta(seconds=120)
    holder["fresh"]
    assert sessions.expire_idle(chat, idle_seconds=60, now=now) == 5
    assert list(holder.session_data) == ["fresh"] and list(holder.time_last_used) == ["fresh"]
    assert holder.capacity == 50
