"""What the real server writes about a visitor: with the defaults, no question text, IP address, user agent or
raw chat session id in the event store, the log or any other file it writes; with `feedback_questions` on, the
question (only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
from web.serving import PROXIED, Server, start

from attack import raw
from attack.conftest import Functions

QUESTION = "how do I do the bridge quokka-51c9?"
ADDRESS = "198.51.100.77"
AGENT = "MarkerBrowser/9.7 (zebu-0c2d)"
VISITOR = {"X-Forwarded-For": ADDRESS, "User-Agent": AGENT}


def visit(server: Server, functions: Functions) -> str:
    """A REST question, a chat question and a dislike of its reply, all from one identifiable visitor; returns
    the chat's session id (Gradio sends it in the query string of the stream it answers on)."""
    assert httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, headers=VISITOR).status_code == 200
    session = raw.session()
    reply = raw.ask(server.url, functions["ask"], QUESTION, session, VISITOR)
    assert raw.like(server.url, functions["on_like"], reply, session, VISITOR, liked=False).status_code == 200
    return session


def written(server: Server) -> bytes:
    """Every file the server wrote in its folder (store, journal, log, Gradio's temporary folder)."""
    return b"".join(p.read_bytes() for p in sorted(server.workdir.rglob("*")) if p.is_file())


def stored(server: Server) -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(server.feedback_db) as db:
        return db.execute("SELECT kind, question, vote FROM replies ORDER BY vote").fetchall()


def serve(tmp_path: Path, **settings: str) -> Server:
    return start(tmp_path, {**PROXIED, "GRADIO_TEMP_DIR": str(tmp_path / "gradio"), **settings})


def test_by_default_nothing_identifies_the_visitor_or_repeats_their_words(functions: Functions, tmp_path: Path):
    server = serve(tmp_path)
    try:
        session = visit(server, functions)
    finally:
        server.stop()  # the writer flushes its queue on the way out
    assert sorted(stored(server), key=lambda r: r[2] or "") == [("answer", None, None), ("answer", None, "dislike")]
    everything = written(server)
    assert b"/api/ask" in everything and b"/gradio_api/queue/data" in everything, \
        "the access log is there, and was searched"
    for marker in ("quokka-51c9", ADDRESS, AGENT, "zebu-0c2d", session):
        assert marker.encode() not in everything, marker


def test_with_feedback_questions_on_the_question_is_kept_but_never_the_address(functions: Functions,
                                                                               tmp_path: Path):
    server = serve(tmp_path, ASSISTANT_FEEDBACK_QUESTIONS="true")
    try:
        visit(server, functions)
    finally:
        server.stop()
    assert sorted(stored(server), key=lambda r: r[2] or "") == [("answer", QUESTION, None),
                                                                ("answer", QUESTION, "dislike")]
    everything = written(server)
    assert b"quokka-51c9" in everything
    assert ADDRESS.encode() not in everything and b"zebu-0c2d" not in everything
