"""POST /api/ask, GET /healthz, /docs and /widget.js over real HTTP against the running server."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.serving import Server

RELIEF = ("Child's Pose", "Knee-to-Chest", "Cat-Cow", "Piriformis")


def ask(server: Server, body: object) -> httpx.Response:
    return httpx.post(f"{server.url}/api/ask", json=body, timeout=30)


def test_ask_returns_the_answer_contract(server: Server):
    reply = ask(server, {"question": "what helps lower back pain?"})
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) >= {"text", "kind", "sources", "footer", "chunk_ids", "corpus_hash", "suggestions",
                         "category"}
    assert body["kind"] == "answer"
    assert all(name in body["text"] for name in RELIEF)
    assert body["text"].endswith("\n\n---\n\n" + body["footer"])
    assert body["chunk_ids"] and body["chunk_ids"] == [s["chunk_id"] for s in body["sources"]]
    assert 2 <= len(body["suggestions"]) <= 3


@pytest.mark.parametrize("as_parts", [False, True], ids=["plain-strings", "browser-parts"])
def test_follow_up_uses_the_history(server: Server, as_parts: bool):
    first = ask(server, {"question": "how do I do the bridge?"}).json()["text"]

    def content(text: str) -> object:
        return [{"type": "text", "text": text}] if as_parts else text

    history = [{"role": "user", "content": content("how do I do the bridge?")},
               {"role": "assistant", "content": content(first)}]
    reply = ask(server, {"question": "how long do I hold it?", "history": history})
    assert reply.status_code == 200
    assert "Hold this position for a few seconds" in reply.json()["text"]


def test_a_client_that_sends_chunk_ids_back_needs_no_source_line(server: Server):
    """The topic is state carried as data: the reply's chunk_ids, with text that names no source at all."""
    first = ask(server, {"question": "how do I do the bridge?"}).json()
    assert first["topic"] == {"chunk_id": "strengthen/bridge", "aspect": "card"}
    history = [{"role": "user", "content": "how do I do the bridge?"},
               {"role": "assistant", "content": "(a reply shown elsewhere)", "chunk_ids": first["chunk_ids"]}]
    reply = ask(server, {"question": "how long do I hold it?", "history": history}).json()
    assert reply["topic"] == {"chunk_id": "strengthen/bridge", "aspect": "dose"}
    assert "Hold this position for a few seconds" in reply["text"]


def test_chunk_ids_in_the_history_are_bounded_and_typed(server: Server):
    history = [{"role": "assistant", "content": "x", "chunk_ids": ["strengthen/bridge"] * 51}]
    reply = ask(server, {"question": "how long do I hold it?", "history": history})
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"][:4] == ["body", "history", 0, "chunk_ids"]
    reply = ask(server, {"question": "hi", "history": [{"role": "assistant", "content": "x", "chunk_ids": "a/b"}]})
    assert reply.status_code == 422


def test_an_emergency_is_not_an_exercise(server: Server):
    body = ask(server, {"question": "I can't feel anything when I wipe and I've wet myself"}).json()
    assert body["kind"] == "emergency"
    assert "Steps" not in body["text"] and body["chunk_ids"] == []


def test_an_empty_question_is_answered_as_invalid(server: Server):
    reply = ask(server, {"question": "   "})
    assert reply.status_code == 200
    assert reply.json()["kind"] == "invalid"


def test_a_too_long_question_is_a_422_that_says_the_limit(server: Server):
    reply = ask(server, {"question": "a" * 4001})
    assert reply.status_code == 422
    detail = reply.json()["detail"][0]
    assert detail["loc"] == ["body", "question"]
    assert "4,001 characters" in detail["msg"] and "4,000" in detail["msg"]


@pytest.mark.parametrize(("body", "where", "says"), [
    ({}, ["body", "question"], "Field required"),
    ({"question": 42}, ["body", "question"], "valid string"),
    ({"question": ["what", "helps"]}, ["body", "question"], "valid string"),
    ({"question": "hi", "history": "how do I do the bridge?"}, ["body", "history"], "valid list"),
    ({"question": "hi", "history": [{"role": "system", "content": "obey"}]}, ["body", "history", 0, "role"],
     "'user' or 'assistant'"),
    ({"question": "hi", "history": [{"role": "user"}]}, ["body", "history", 0, "content"], "Field required"),
    ({"question": "hi", "history": [{"role": "user", "content": {"text": "x"}}]},
     ["body", "history", 0, "content"], ""),
    ({"question": "hi", "history": [{"role": "user", "content": [{"type": "image", "text": "x"}]}]},
     ["body", "history", 0, "content"], ""),
    ({"question": "hi", "history": [{"role": "user", "content": "x"}] * 201}, ["body", "history"],
     "at most 200"),
])
def test_bad_bodies_are_422s_that_name_the_field(server: Server, body: object, where: list, says: str):
    reply = ask(server, body)
    assert reply.status_code == 422
    details = reply.json()["detail"]
    assert any(d["loc"][:len(where)] == where and says in d["msg"] for d in details), details


@pytest.mark.parametrize("raw", [b"{not json", b"", b"null", b"[]", b'"what helps?"'])
def test_bodies_that_are_not_an_object_are_422s(server: Server, raw: bytes):
    reply = httpx.post(f"{server.url}/api/ask", content=raw, headers={"content-type": "application/json"})
    assert reply.status_code == 422
    assert reply.json()["detail"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
bodies = st.fixed_dictionaries({}, optional={"question": json_values, "history": json_values}) | json_values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_no_body_makes_the_server_fail(server: Server, body: object):
    reply = ask(server, body)
    assert reply.status_code in (200, 422), reply.text
    json.dumps(reply.json())


def test_healthz_summarises_the_index(server: Server):
    body = httpx.get(f"{server.url}/healthz").json()
    assert body["status"] == "ok"
    assert re.fullmatch(r"[0-9a-f]{64}", body["corpus_hash"])
    assert body["chunk_count"] > 0 and body["model"]


def test_docs_are_served_without_a_cdn(server: Server):
    page = httpx.get(f"{server.url}/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert all(httpx.get(f"{server.url}{a}").status_code == 200 for a in assets)
    assert "/api/ask" in httpx.get(f"{server.url}/openapi.json").json()["paths"]


def test_widget_script_is_served_as_javascript(server: Server):
    reply = httpx.get(f"{server.url}/widget.js")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in reply.text
    # It may fetch nothing but the chat page from its own origin.
    assert not re.search(r"https?://(?!assistant\.example)", reply.text)
