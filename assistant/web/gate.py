"""The gate in front of every route: only listed surfaces, bounded bodies, per-client limits."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

import gradio as gr
from starlette.types import Message, Receive, Scope, Send

from assistant.settings import Settings
from assistant.web import surface
from assistant.web.throttle import ClientIdentity, Throttle

CLIENT = "assistant.client"  # the scope key later code reads the client's identity from
# Gradio's page makes 11-character session ids, gradio_client UUIDs.
SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Refusal(Exception):
    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


class Gate:
    """Refuses, before any app code runs: unlisted routes (404), bodies over the route's limit (413) or
    too slow to arrive (408), Gradio calls to functions the page does not use (404) or that carry files
    (400), and clients over their rate or queue share (429 with Retry-After). Run by the front layer
    (`assistant/web/front.py`), not as a layer of its own."""

    def __init__(self, settings: Settings, chat: gr.Blocks) -> None:
        self.chat = chat
        self.functions = surface.PageFunctions(chat, settings.max_question_chars)
        self.identify = ClientIdentity(settings)
        self.throttle = Throttle(settings)
        self.body_limits = {"api": settings.max_api_body_bytes, "chat": settings.max_chat_body_bytes,
                            "form": settings.max_other_body_bytes, "none": settings.max_other_body_bytes}
        self.body_timeout = settings.body_timeout_seconds
        self.max_queued = settings.max_queued_per_client

    async def admit(self, scope: Scope, receive: Receive) -> tuple[Scope, Receive]:
        """The HTTP request as the app may see it (the client named, deep links dropped, a read body replayed);
        raises Refusal."""
        client = self.identify(scope)
        scope = {**scope, CLIENT: client, "query_string": _without_deep_link(scope.get("query_string", b""))}
        route = surface.find_route(scope["method"], scope["path"])
        if route is None:
            raise Refusal(404, "Not Found")
        limit = self.body_limits[route.body]
        body = await self._read_body(scope, receive, limit) if route.body != "none" else None
        if body is None:
            _check_declared_length(scope, limit)
            counts_as, answers = route.counts_as, 1
        else:
            kinds, answers = self._check_gradio_call(scope, body, client)
            counts_as = route.counts_as + kinds
        if scope["method"] != "OPTIONS" and counts_as:
            wait = self.throttle.retry_after(counts_as, client, costs={"chat": answers})
            if wait is not None:
                raise Refusal(429, "Too many requests from your address; please wait and try again.", wait)
        return scope, receive if body is None else _replay(body, receive)

    async def _read_body(self, scope: Scope, receive: Receive, limit: int) -> bytes:
        """The whole body, refused early when its declared length is over `limit`."""
        _check_declared_length(scope, limit)
        chunks: list[bytes] = []
        size = 0

        async def read() -> None:
            nonlocal size
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise Refusal(400, "The request was not finished.")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise Refusal(413, f"The request body is over this address's limit of {limit:,} bytes.")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return

        # A deadline on this task, not `wait_for`: that runs the read as a task of its own, an extra turn of the
        # event loop on every request with a body.
        try:
            async with asyncio.timeout(self.body_timeout):
                await read()
        except TimeoutError as exc:
            raise Refusal(408, "The request body took too long to arrive.") from exc
        return b"".join(chunks)

    def _check_gradio_call(self, scope: Scope, body: bytes, client: str) -> tuple[tuple[str, ...], int]:
        """What a Gradio call counts as, and how many answers it asks for; raises Refusal."""
        if not scope["path"].startswith("/gradio_api/") or scope["method"] == "OPTIONS":
            return (), 1
        try:
            call = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise Refusal(400, "The request body is not JSON.") from exc
        verdict = self.functions.verdict(scope["path"], call)
        if verdict.status:
            raise Refusal(verdict.status, verdict.reason)
        session = call.get("session_hash")
        if not isinstance(session, str) or not SESSION.fullmatch(session):
            raise Refusal(400, "A chat call needs its session.")
        if scope["path"].endswith("/queue/join") and queued_by(self.chat, client) >= self.max_queued:
            raise Refusal(429, "You already have several questions waiting; please wait for the answers.", 1)
        # Gradio builds a copy of the page's state for each new session (the costly part of a call),
        # so new sessions are counted on their own: a page or a gradio_client opens one.
        new_session = () if session in self.chat.state_holder else ("sessions",)
        return verdict.counts_as + new_session, verdict.answers


def queued_by(chat: gr.Blocks, client: str) -> int:
    """How many of the queue's waiting events came from `client`. Reads Gradio's queue, which has no
    public count per client; the flood test in tests/attack fails if this stops working."""
    waiting = chat._queue.event_queue_per_concurrency_id.values()
    return sum(1 for line in waiting for event in line.queue if event.request.scope.get(CLIENT) == client)


def _check_declared_length(scope: Scope, limit: int) -> None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            if not value.isdigit():
                raise Refusal(400, "Content-Length is not a number.")
            if int(value) > limit:
                raise Refusal(413, f"The request body is over this address's limit of {limit:,} bytes.")


def _without_deep_link(query: bytes) -> bytes:
    """Deep links are off: Gradio would rebuild a page from a stored, forgeable conversation."""
    if b"deep_link" not in query:
        return query
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k != "deep_link"]).encode("latin-1")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def refuse(refusal: Refusal, send: Send) -> None:
    body = json.dumps({"detail": refusal.detail}).encode()
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(body)).encode())]
    if refusal.retry_after is not None:
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    if refusal.status in (408, 413, 400):
        # The rest of the body may still be arriving: close rather than read it.
        headers.append((b"connection", b"close"))
    start: dict[str, Any] = {"type": "http.response.start", "status": refusal.status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
