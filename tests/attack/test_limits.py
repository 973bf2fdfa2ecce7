"""Findings 3, 4 and 5: bodies are bounded per route, one client cannot flood the API, the chat, the
queue or the likes, and the default limits still let a person, an integration and a benchmark through."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from web.serving import Server

from assistant import Settings
from assistant.web.votes import reply_id_in
from attack import raw
from attack.conftest import Functions

DEFAULTS = Settings()
FLOOD = Path(__file__).with_name("flood.py")


def post(url: str, path: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}{path}", content=content, headers={"content-type": "application/json", **headers},
                      timeout=30)


def history_body(size: int) -> bytes:
    """A valid /api/ask body of about `size` bytes: a conversation of long-ish messages."""
    message = {"role": "user", "content": "my back is stiff " * 600}
    count = max(1, size // len(json.dumps(message)))
    return json.dumps({"question": "how do I do the bridge?", "history": [message] * count}).encode()


@pytest.mark.parametrize(("path", "limit"), [("/api/ask", DEFAULTS.max_api_body_bytes),
                                             ("/gradio_api/queue/join", DEFAULTS.max_chat_body_bytes),
                                             ("/gradio_api/run/predict", DEFAULTS.max_chat_body_bytes)])
def test_a_body_just_over_its_routes_limit_is_a_413(target: Server, path: str, limit: int):
    over = b" " * (limit + 1)
    reply = post(target.url, path, over, raw.client(20))
    assert reply.status_code == 413 and f"{limit:,} bytes" in reply.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = httpx.post(f"{target.url}{path}", content=chunks(), headers=raw.client(20), timeout=30)
    assert streamed.status_code == 413


def test_a_real_conversation_under_the_limit_is_answered(target: Server):
    body = history_body(DEFAULTS.max_api_body_bytes - 20_000)
    assert len(body) < DEFAULTS.max_api_body_bytes
    reply = post(target.url, "/api/ask", body, raw.client(21))
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"


def test_a_body_on_a_route_that_takes_none_is_a_413(target: Server):
    reply = httpx.request("GET", f"{target.url}/healthz", content=b"x" * (DEFAULTS.max_other_body_bytes + 1))
    assert reply.status_code == 413


def test_an_api_flood_from_one_client_gets_429s_and_others_are_served(target: Server):
    statuses, waits = [], []
    with httpx.Client(headers=raw.client(22), timeout=30) as flooder:
        for n in range(300):
            reply = flooder.post(f"{target.url}/api/ask", json={"question": f"how do I do the bridge {n}?"})
            statuses.append(reply.status_code)
            if reply.status_code == 429:
                waits.append(int(reply.headers["retry-after"]))
    assert statuses.count(200) == 120 and statuses.count(429) == 180, sorted(set(statuses))
    assert all(1 <= w <= 60 for w in waits)
    neighbour = httpx.post(f"{target.url}/api/ask", json={"question": "how do I do the bridge?"},
                           headers=raw.client(23))
    assert neighbour.status_code == 200


def test_a_hundred_request_benchmark_from_one_client_passes(target: Server):
    with httpx.Client(headers=raw.client(24), timeout=30) as bench:
        statuses = [bench.post(f"{target.url}/api/ask", json={"question": f"bridge {n}"}).status_code
                    for n in range(100)]
    assert set(statuses) == {200}


def test_the_client_is_the_socket_unless_a_trusted_proxy_names_it(target: Server):
    """From 127.0.0.7 (not a trusted proxy), a forged X-Forwarded-For is ignored: the flood still counts
    against the socket's address, so rotating the header does not dodge the limit."""
    transport = httpx.HTTPTransport(local_address="127.0.0.7")
    with httpx.Client(transport=transport, timeout=30) as spoofer:
        statuses = [spoofer.post(f"{target.url}/api/ask", json={"question": "bridge"},
                                 headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(130)]
    assert statuses.count(429) == 10


def test_chat_questions_from_one_client_are_limited(functions: Functions, target: Server):
    headers, statuses, session = raw.client(25), [], raw.session()
    for n in range(125):
        reply = raw.join(target.url, functions["ask"], [f"bridge {n}", None], session, headers)
        statuses.append(reply.status_code)
        if reply.status_code == 200:
            raw.result(target.url, session, headers)
    assert statuses.count(200) == 120 and statuses[120:] == [429] * 5


def test_a_queue_flood_from_one_client_leaves_room_for_a_real_user(functions: Functions, target: Server):
    """The attack: 100 queued calls at once from one client, which made a real user's question a "Queue is
    full" 503 on 4 of 7 tries. Now the flood gets its share (`max_queued_per_client`) and 429s, and a
    real user with the chat open, through gradio_client from another address, is answered within a
    second on every try."""
    user = Client(target.url, analytics_enabled=False, verbose=False, headers=raw.client(27))
    user.predict("hello", api_name="/ask")
    for number, mode in ((26, []), (29, ["one-session"])):
        flood = subprocess.Popen([sys.executable, str(FLOOD), target.url, str(functions["ask"]), "100", str(number),
                                  *mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert flood.stdout is not None and flood.stdin is not None
        assert flood.stdout.readline().strip() == "ready"
        flood.stdin.write("go\n")
        flood.stdin.flush()
        took = []
        for _ in range(7):
            started = time.perf_counter()
            reply = user.predict("how do I do the bridge?", api_name="/ask")
            took.append(time.perf_counter() - started)
            assert "Bridge" in reply["content"]
        flooded = json.loads(flood.communicate(timeout=60)[0])
        assert max(took) < 1.0, (mode, [f"{t:.2f}" for t in took])
        statuses = [status for status, _ in flooded]
        assert 503 not in statuses and len(statuses) == 100
        # New sessions are limited first; one session's calls meet the queue share.
        assert statuses.count(429) >= 50, (mode, statuses.count(429))
        assert not mode or any("waiting" in detail for _, detail in flooded)
    user.close()


def test_likes_are_one_per_reply_and_rate_limited(functions: Functions, target: Server):
    headers, session = raw.client(28), raw.session()
    reply = raw.ask(target.url, functions["ask"], "how do I do the bridge?", session, headers)
    statuses = [raw.like(target.url, functions["on_like"], reply, session, headers, liked=n % 2 == 0).status_code
                for n in range(100)]
    assert statuses.count(200) == 60 and statuses.count(429) == 40
    rows = [r for r in target.votes() if r["reply_id"] == reply_id_in(reply["content"])]
    assert len(rows) == 1 and rows[0]["kind"] == "answer"


def test_a_reload_counts_each_replayed_question_against_the_chat_rate(functions: Functions, target: Server):
    """A reloaded tab sends its saved questions in one call and has them all answered again (at most 30). Each
    counts as one answer against the chat rate, so reloads cannot multiply a client's work 30 times: four
    full reloads use a minute's 120 answers, and the fifth reload and the next question are 429s."""
    headers, saved, statuses = raw.client(30), json.dumps([f"bridge {n}" for n in range(40)]), []
    for _ in range(5):
        session = raw.session()
        reply = raw.join(target.url, functions["replay"], [saved], session, headers)
        statuses.append(reply.status_code)
        if reply.status_code == 200:
            raw.result(target.url, session, headers)
    assert statuses == [200] * 4 + [429] and int(reply.headers["retry-after"]) >= 1
    assert raw.join(target.url, functions["ask"], ["bridge", None], raw.session(), headers).status_code == 429


def test_a_patients_reload_comes_back_whole_and_its_replies_can_be_rated(functions: Functions, target: Server):
    """The replayed replies are issued ids in the new session like any other: a like on one is stored once,
    as the server answered it."""
    headers, session = raw.client(31), raw.session()
    saved = json.dumps(["how do I do the bridge?", "how long do I hold it?"])
    assert raw.join(target.url, functions["replay"], [saved], session, headers).status_code == 200
    raw.result(target.url, session, headers)
    # What the page does next: the restored conversation is copied into the chat (the state's change event).
    assert raw.join(target.url, functions["lambda_15"], [None], session, headers).status_code == 200
    shown = raw.result(target.url, session, headers)["data"][0]
    assert [m["role"] for m in shown] == ["user", "assistant"] * 2
    assert shown[0]["content"][0]["text"] == "how do I do the bridge\\?", "a user's words are shown literally"
    hold = {"content": shown[3]["content"][0]["text"]}
    assert "Hold this position for a few seconds" in hold["content"]
    votes = [raw.like(target.url, functions["on_like"], hold, session, headers, liked=liked).status_code
             for liked in (True, True, False)]
    assert votes == [200] * 3
    rows = [r for r in target.votes() if r["reply_id"] == reply_id_in(hold["content"])]
    assert len(rows) == 1 and rows[0]["vote"] == "dislike" and "bridge" in str(rows[0]["chunk_ids"])
    assert rows[0]["replayed"] == 1, "the insights do not count a reloaded tab's questions as asked again"
