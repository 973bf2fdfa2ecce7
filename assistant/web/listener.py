"""How the server listens: uvicorn with a header timeout, a bounded request head, a connection cap, no
banner, bounded logs.

uvicorn times out idle keep-alive connections but not one that never finishes its request head, so
a thousand half-open sockets kept everyone else out. Here a connection must deliver a complete
request head within `header_timeout_seconds`, and connections past `limit_concurrency` are closed
as soon as they are accepted, before they hold a file descriptor for long.

Requests are parsed by httptools (llhttp, in C): against h11, a request cost about 0.2-0.4 ms less on this
machine (issue 13, docs/deploy.md). h11 capped a request head at 16 KiB; httptools has no cap of its own, so
the protocol keeps the same one. The event loop is asyncio's own: uvloop saved a further 0.05-0.1 ms, but it
drops connections past the descriptor limit without a word in the log.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from assistant.settings import Settings

# At most one "out of file descriptors" report per this many seconds: asyncio logs one per
# connection it fails to accept, which wrote 105 MB of log in 20 s under a flood.
RESOURCE_LOG_EVERY_S = 10.0
# Connections beyond `limit_concurrency` that are accepted and closed at once, as a margin for
# requests uvicorn itself answers "503 Service Unavailable".
CONNECTION_MARGIN = 16
# The most a request line and its headers may take, as h11 allowed: a longer head is a 400 and the connection
# closes. The chat page's and the widget's requests send about 1 KiB.
MAX_HEAD_BYTES = 16 * 1024


class HeadTooLarge(Exception):
    """Raised from a parser callback: httptools reports it as a parse error, which uvicorn answers with a 400."""


def protocol(header_timeout: float, max_connections: int) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with a deadline and a size cap for each request head, and a cap on open
    connections."""

    class BoundedProtocol(HttpToolsProtocol):
        # The head's size as parsed (its URL and headers, each with its separators), and the bytes received
        # since it began: httptools buffers a header until it ends, so a head that never ends is cut off by
        # the second count, at most one read past the cap.
        head_size = 0
        head_received = 0
        reading_head = True

        def data_received(self, data: bytes) -> None:
            if self.reading_head:
                self.head_received += len(data)
            super().data_received(data)
            if self.reading_head and self.head_received > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.send_400_response("Request head too large.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.head_size = 0

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def _count(self, size: int) -> None:
            self.head_size += size
            if self.head_size > MAX_HEAD_BYTES:
                raise HeadTooLarge

        def on_headers_complete(self) -> None:
            self.reading_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self.reading_head, self.head_received = True, 0

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                transport.close()
                return
            self._await_request_head()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_request_head()

        def _await_request_head(self) -> None:
            # A new request head replaces `self.cycle`; if none arrived in time, close the connection.
            waiting_after = self.cycle

            def expire() -> None:
                if self.cycle is waiting_after and not self.transport.is_closing():
                    self.transport.close()

            self.loop.call_later(header_timeout, expire)

    return BoundedProtocol


class OncePer(logging.Filter):
    """Lets one record whose message starts with `prefix` through per `seconds`; others pass."""

    def __init__(self, prefix: str, seconds: float) -> None:
        super().__init__()
        self.prefix = prefix
        self.seconds = seconds
        self.last = -seconds
        self.suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith(self.prefix):
            return True
        now = time.monotonic()
        if now - self.last < self.seconds:
            self.suppressed += 1
            return False
        if self.suppressed:
            record.msg = f"{record.msg} ({self.suppressed} more like it suppressed)"
        self.last, self.suppressed = now, 0
        # The traceback repeats the same errno on every line of a flood; the message says it.
        record.exc_info = None
        return True


def bound_resource_logs() -> None:
    logging.getLogger("asyncio").addFilter(OncePer("socket.accept() out of system resource",
                                                   RESOURCE_LOG_EVERY_S))


def config(app: Any, host: str, port: int, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        # The access log is the front layer's (assistant/web/front.py), written after each response.
        app, host=host, port=port, access_log=False,
        http=protocol(settings.header_timeout_seconds, settings.limit_concurrency + CONNECTION_MARGIN),
        limit_concurrency=settings.limit_concurrency, timeout_keep_alive=settings.keep_alive_seconds,
        server_header=False, loop="asyncio",
        # uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the client, before the gate's
        # `ClientIdentity` (which follows `trusted_proxy_header`) sees the socket: a forged header from loopback
        # then dodged the rate limits. It also saves a layer on every request.
        proxy_headers=False,
        # Open chat pages hold Gradio's heartbeat streams forever; without a limit, shutdown waits for them.
        timeout_graceful_shutdown=3)


def run(app: Any, host: str, port: int, settings: Settings) -> None:
    bound_resource_logs()
    uvicorn.Server(config(app, host, port, settings)).run()
