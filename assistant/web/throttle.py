"""Who a request comes from, and how often each client may ask: per-client rate limits from `limits`."""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Iterable, Mapping

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import Scope

from assistant.errors import AssistantError
from assistant.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# How often the counts of clients whose windows have passed are dropped. Only memory depends on it: a
# moving window counts only its own entries whatever is kept.
EXPIRE_EVERY_S = 1.0
# The rate settings, by the name of the traffic they count.
RATE_SETTINGS = {"api": "rate_limit_api", "chat": "rate_limit_chat", "page_calls": "rate_limit_page_calls",
                 "votes": "rate_limit_votes", "sessions": "rate_limit_new_sessions",
                 "insights": "rate_limit_insights"}


class ClientIdentity:
    """A client is its socket's address, unless that socket is a trusted reverse proxy that names the
    client in `trusted_proxy_header` (the right-most address no trusted proxy added)."""

    def __init__(self, settings: Settings) -> None:
        self.header = settings.trusted_proxy_header.lower()
        try:
            self.proxies: tuple[Network, ...] = tuple(ipaddress.ip_network(p, strict=False)
                                                      for p in settings.trusted_proxies)
        except ValueError as exc:
            raise AssistantError(f"trusted_proxies: {exc}; list addresses or networks like 10.0.0.0/8.") from exc

    def __call__(self, scope: Scope) -> str:
        peer = (scope.get("client") or ("unknown", 0))[0]
        if not self.header or not self._trusted(peer):
            return peer
        named = Headers(scope=scope).getlist(self.header)
        for candidate in reversed([part.strip() for value in named for part in value.split(",")]):
            if not _is_address(candidate):
                break
            if not self._trusted(candidate):
                return candidate
        return peer

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ScheduledExpiryStorage(MemoryStorage):
    """`limits`' in-memory storage, but expired counts are dropped at most once every EXPIRE_EVERY_S, in
    the call that finds them due, with the emptied per-client lists the stock expiry leaves behind.

    The stock storage starts a 10 ms timer thread on any hit that finds its last one finished, so at a
    request every 10 ms or slower each request paid for a new thread: 1.4 ms median here, most of the
    REST overhead (issue 13). `limits==5.8.0` is pinned, and
    tests/web/test_throttle.py fails if its private hooks, overridden here, change."""

    def __init__(self) -> None:
        super().__init__()
        self._expired_at = time.monotonic()
        self._expiring = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the base class's mangled name
        now = time.monotonic()
        if now - self._expired_at < EXPIRE_EVERY_S or not self._expiring.acquire(blocking=False):
            return
        try:
            self._expired_at = now
            self._MemoryStorage__expire_events()
            for key in [key for key, entries in self.events.items() if not entries]:
                self.events.pop(key, None)
        finally:
            self._expiring.release()


class Throttle:
    """Moving-window limits per (kind of traffic, client), in memory: counts expire with their window,
    so a thousand clients cost a thousand small lists, not a growing table."""

    def __init__(self, settings: Settings) -> None:
        self.rules: dict[str, list[RateLimitItem]] = {}
        for kind, name in RATE_SETTINGS.items():
            try:
                self.rules[kind] = parse_many(getattr(settings, name))
            except ValueError as exc:
                raise AssistantError(f"{name}: {getattr(settings, name)!r} is not a rate like '120/minute' "
                                     f"({exc}).") from exc
        self.storage = ScheduledExpiryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)

    def retry_after(self, kinds: Iterable[str], client: str, costs: Mapping[str, int] | None = None) -> int | None:
        """Count one request of each kind, or `costs[kind]` of it (a restored conversation is as many
        answers as it has questions); None when all are within their limits, else the seconds to wait
        (for the `Retry-After` header). A refused request is not counted."""
        costs = costs or {}
        rules = [(kind, rule, costs.get(kind, 1)) for kind in kinds for rule in self.rules[kind]]
        blocked = [(kind, rule) for kind, rule, cost in rules if not self.limiter.test(rule, kind, client, cost=cost)]
        if not blocked:
            for kind, rule, cost in rules:
                self.limiter.hit(rule, kind, client, cost=cost)
            return None
        resets = [self.limiter.get_window_stats(rule, kind, client).reset_time for kind, rule in blocked]
        return max(1, math.ceil(max(resets) - time.time()))
