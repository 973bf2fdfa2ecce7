"""Raw HTTP against the server as an attacker (or the chat page) would send it, one client per address."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx

# Documentation ranges (RFC 5737): never routed, so an address here can only be a test's label.
TEST_NET = "198.51.100.{}"


def client(number: int) -> dict[str, str]:
    """Headers that make a request come from client `number`, through the trusted loopback proxy."""
    return {"X-Forwarded-For": TEST_NET.format(number)}


def session() -> str:
    return secrets.token_hex(6)


def join(url: str, fn_index: int, data: list[Any], session_hash: str, headers: dict[str, str],
         event_data: Any = None) -> httpx.Response:
    body = {"data": data, "event_data": event_data, "fn_index": fn_index, "trigger_id": 1,
            "session_hash": session_hash}
    return httpx.post(f"{url}/gradio_api/queue/join", json=body, headers=headers, timeout=30)


def run(url: str, fn_index: int, data: list[Any], session_hash: str, headers: dict[str, str],
        event_data: Any = None) -> httpx.Response:
    body = {"data": data, "event_data": event_data, "fn_index": fn_index, "trigger_id": 1,
            "session_hash": session_hash}
    return httpx.post(f"{url}/gradio_api/run/predict", json=body, headers=headers, timeout=30)


def result(url: str, session_hash: str, headers: dict[str, str]) -> Any:
    """The output of the session's queued call, read from its event stream."""
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session_hash},
                      headers=headers, timeout=30) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed":
                return message["output"]
    raise AssertionError("the stream ended without a result")


def ask(url: str, fn_ask: int, question: str, session_hash: str, headers: dict[str, str]) -> dict[str, Any]:
    """One question through the queue, as gradio_client's /ask sends it; the reply message."""
    joined = join(url, fn_ask, [question, None], session_hash, headers)
    assert joined.status_code == 200, joined.text
    return result(url, session_hash, headers)["data"][0]


def like(url: str, fn_like: int, reply: dict[str, Any], session_hash: str, headers: dict[str, str],
         liked: bool = True) -> httpx.Response:
    """The chat page's like event: the liked message's text parts and the vote."""
    return run(url, fn_like, [], session_hash, headers,
               event_data={"index": 1, "value": [reply["content"]], "liked": liked})
