"""The log filter that keeps a descriptor flood from filling the disk."""

from __future__ import annotations

import logging

from assistant.web.listener import OncePer


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, None, None)


def test_one_resource_message_per_period_and_a_count_of_the_rest():
    limit = OncePer("socket.accept() out of system resource", seconds=60)
    passed = [limit.filter(record("socket.accept() out of system resource\nsocket: ...")) for _ in range(1000)]
    assert passed.count(True) == 1
    limit.last -= 61
    later = record("socket.accept() out of system resource")
    assert limit.filter(later) and "(999 more like it suppressed)" in later.getMessage()


def test_other_messages_pass():
    limit = OncePer("socket.accept() out of system resource", seconds=60)
    assert all(limit.filter(record("something else")) for _ in range(5))
