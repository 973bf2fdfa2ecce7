"""The one ASGI layer in front of the app: the gate, the CORS allow-list and the security headers.

They were three layers, each with its own call and (for two of them) its own `send` wrapper, on every
request; issue 13 measured the event loop's share of a REST answer layer by layer. Here they run in one
call with one `send` wrapper, in the order the three layers had: the gate refuses first (its refusals carry
the security headers but no CORS headers), then CORS (a preflight is answered here), then the app; on the
way out CORS writes its headers before the security headers are added.

The access log is written here too, once a response has gone out. uvicorn's own named the query string, where
Gradio's streams carry the raw session id, and wrote its line before the response's first byte. The line costs
about 0.3 ms of a REST answer wherever it is written (docs/deploy.md); `access_log = false` turns it off.
"""

from __future__ import annotations

import logging

import gradio as gr
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings
from assistant.web import gate
from assistant.web.headers import SecurityHeaders

# What the chat page and the widget send across origins.
CORS_METHODS = ("GET", "POST")
CORS_HEADERS = ("content-type", "x-gradio-user")
# One line per request, after its response: the method, the path (no query string, no client address) and
# the status. A request whose app raised is logged as the 500 that uvicorn then sends.
access_log = logging.getLogger("assistant.access")


class Front:
    """ASGI middleware: `Gate`, then Starlette's CORS policy, then `SecurityHeaders`, in one layer."""

    def __init__(self, app: ASGIApp, settings: Settings, chat: gr.Blocks, origin_regex: str,
                 frame_ancestors: str) -> None:
        self.app = app
        self.gate = gate.Gate(settings, chat)
        # Starlette's middleware is used for its policy only (its preflight answer and its response headers),
        # so the CORS rules stay Starlette's own; it is not a layer here.
        self.cors = CORSMiddleware(app, allow_origin_regex=origin_regex, allow_methods=CORS_METHODS,
                                   allow_headers=CORS_HEADERS)
        self.security = SecurityHeaders(frame_ancestors)
        self.access_log = settings.access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            # No surface is a websocket (Gradio 6's page streams over HTTP): refuse the handshake.
            await send({"type": "websocket.close", "code": 1008})
            return
        scope = self.security.request(scope)
        head_only = scope["method"] == "HEAD"
        request_headers = Headers(scope=scope)
        cross_origin = True
        page: list[Message] = []  # an HTML page's start, held until its body is whole
        chunks: list[bytes] = []
        status = 500

        async def send_out(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if cross_origin:
                    await self.cors.send(message, _written, request_headers)
                if self.security.secure(message):
                    page.append(message)
                    return
                await send(message)
            elif page and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    for whole in self.security.page(page[0], b"".join(chunks), head_only):
                        await send(whole)
            else:
                await send(message)

        try:
            try:
                scope, receive = await self.gate.admit(scope, receive)
            except gate.Refusal as refusal:
                cross_origin = False
                await gate.refuse(refusal, send_out)
                return
            origin = request_headers.get("origin")
            if (origin is not None and scope["method"] == "OPTIONS"
                    and "access-control-request-method" in request_headers):
                cross_origin = False
                await self.cors.preflight_response(request_headers=request_headers)(scope, receive, send_out)
                return
            await self.app(scope, receive, send_out)
        finally:
            if self.access_log:
                access_log.info('"%s %s HTTP/%s" %d', scope["method"], scope["path"], scope["http_version"],
                                status)


async def _written(_message: Message) -> None:
    """Where the CORS policy hands a start message it has written its headers into: `send_out` sends it on."""
