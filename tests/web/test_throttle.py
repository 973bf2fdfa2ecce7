"""Who a client is (socket, or a trusted proxy's header) and how its requests are counted."""

from __future__ import annotations

import threading
import time

import pytest

from assistant import AssistantError, Settings
from assistant.web import throttle as throttle_module
from assistant.web.throttle import ClientIdentity, Throttle

PROXIED = Settings().updated({"trusted_proxy_header": "X-Forwarded-For", "trusted_proxies": ["10.0.0.0/8"]})


def scope(peer: str, forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"type": "http", "client": (peer, 50000), "headers": headers}


def test_without_a_header_setting_the_client_is_the_socket():
    identify = ClientIdentity(Settings())
    assert identify(scope("127.0.0.1", "198.51.100.1")) == "127.0.0.1"


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("10.0.0.5", "198.51.100.1", "198.51.100.1"),                  # the proxy names the client
    ("10.0.0.5", "203.0.113.9, 198.51.100.1", "198.51.100.1"),     # the right-most untrusted hop
    ("10.0.0.5", "198.51.100.1, 10.0.0.7", "198.51.100.1"),        # past a second trusted proxy
    ("203.0.113.4", "198.51.100.1", "203.0.113.4"),                # not a proxy: header ignored
    ("10.0.0.5", "not-an-address", "10.0.0.5"),
    ("10.0.0.5", None, "10.0.0.5"),
])
def test_a_trusted_proxys_header_names_the_client(peer: str, forwarded: str | None, client: str):
    assert ClientIdentity(PROXIED)(scope(peer, forwarded)) == client


def test_an_unusable_proxy_list_is_refused_by_name():
    with pytest.raises(AssistantError, match="trusted_proxies"):
        ClientIdentity(Settings().updated({"trusted_proxies": ["proxy.example"]}))


def test_requests_over_a_rate_are_refused_with_a_wait_and_not_counted():
    throttle = Throttle(Settings().updated({"rate_limit_api": "3/minute"}))
    assert [throttle.retry_after(["api"], "a") for _ in range(3)] == [None] * 3
    wait = throttle.retry_after(["api"], "a")
    assert wait is not None and 1 <= wait <= 60
    assert throttle.retry_after(["api"], "b") is None, "each client has its own count"


def test_all_rates_of_a_request_must_hold():
    throttle = Throttle(Settings().updated({"rate_limit_page_calls": "100/minute", "rate_limit_chat": "2/minute"}))
    assert throttle.retry_after(["page_calls", "chat"], "a") is None
    assert throttle.retry_after(["page_calls", "chat"], "a") is None
    assert throttle.retry_after(["page_calls", "chat"], "a") is not None
    assert throttle.retry_after(["page_calls"], "a") is None, "the refused call used none of the page budget"


def test_a_call_can_count_as_several_answers():
    """A reloaded tab's conversation is answered in one call: it uses one answer of the rate per question."""
    throttle = Throttle(Settings().updated({"rate_limit_chat": "10/minute"}))
    assert throttle.retry_after(["page_calls", "chat"], "a", costs={"chat": 8}) is None
    assert throttle.retry_after(["page_calls", "chat"], "a", costs={"chat": 3}) is not None, "8 + 3 > 10"
    assert throttle.retry_after(["page_calls", "chat"], "a", costs={"chat": 2}) is None
    assert throttle.retry_after(["chat"], "a") is not None


def test_a_rate_that_does_not_parse_is_refused_by_name():
    with pytest.raises(AssistantError, match="rate_limit_votes"):
        Throttle(Settings().updated({"rate_limit_votes": "lots"}))


def test_counting_a_request_starts_no_thread():
    """The stock storage started a timer thread per request (1.4 ms of each REST reply here)."""
    throttle = Throttle(Settings())
    before = threading.active_count()
    for _ in range(20):
        assert throttle.retry_after(["api"], "a") is None
        assert threading.active_count() == before


def test_counts_whose_window_has_passed_are_dropped(monkeypatch: pytest.MonkeyPatch):
    """Memory is bounded: a client's entries go once its window is over, on the next count that is due."""
    monkeypatch.setattr(throttle_module, "EXPIRE_EVERY_S", 0.0)
    throttle = Throttle(Settings().updated({"rate_limit_api": "5/second"}))
    for client in ("a", "b", "c"):
        throttle.retry_after(["api"], client)
    assert len(throttle.storage.events) == 3
    time.sleep(1.1)
    throttle.retry_after(["api"], "d")
    assert [key.split("/")[2] for key in throttle.storage.events] == ["d"]
