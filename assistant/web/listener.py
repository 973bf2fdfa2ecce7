"""How the server listens: uvicorn with a header timeout, a connection cap, no banner, bounded logs.

uvicorn times out idle keep-alive connections but not one that never finishes its request head, so
a thousand half-open sockets kept everyone else out. Here a connection must deliver a complete
request head within `header_timeout_seconds`, and connections past `limit_concurrency` are closed
as soon as they are accepted, before they hold a file descriptor for long.
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.settings import Settings

# At most one "out of file descriptors" report per this many seconds: asyncio logs one per
# connection it fails to accept, which wrote 105 MB of log in 20 s under a flood.
RESOURCE_LOG_EVERY_S = 10.0
# Connections beyond `limit_concurrency` that are accepted and closed at once, as a margin for
# requests uvicorn itself answers "503 Service Unavailable".
CONNECTION_MARGIN = 16


def protocol(header_timeout: float, max_connections: int) -> type[H11Protocol]:
    """The h11 protocol with a deadline for each request head and a cap on open connections."""

    class BoundedH11Protocol(H11Protocol):
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

    return BoundedH11Protocol


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


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the client's address left out of the access log: a visitor's IP address is
    not kept anywhere the server writes (docs/insights.md)."""
    logs = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    logs["formatters"]["access"]["fmt"] = '%(levelprefix)s "%(request_line)s" %(status_code)s'
    return logs


def config(app: Any, host: str, port: int, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=host, port=port, log_config=log_config(),
        http=protocol(settings.header_timeout_seconds, settings.limit_concurrency + CONNECTION_MARGIN),
        limit_concurrency=settings.limit_concurrency, timeout_keep_alive=settings.keep_alive_seconds,
        server_header=False,
        # uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the client, before the gate's
        # `ClientIdentity` (which follows `trusted_proxy_header`) sees the socket: a forged header from loopback
        # then dodged the rate limits. It also saves a layer on every request.
        proxy_headers=False,
        # Open chat pages hold Gradio's heartbeat streams forever; without a limit, shutdown waits for them.
        timeout_graceful_shutdown=3)


def run(app: Any, host: str, port: int, settings: Settings) -> None:
    bound_resource_logs()
    uvicorn.Server(config(app, host, port, settings)).run()
