"""Who may frame the chat and call the API: CSP frame-ancestors on every response, and the CORS allow-list."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant import AssistantError, Settings
from assistant.web import origins
from web.serving import Server

DEFAULT_ANCESTORS = ("frame-ancestors 'self' http://localhost:* http://127.0.0.1:* https://localhost:* "
                     "https://127.0.0.1:*")


def frame_ancestors(reply: httpx.Response) -> str:
    policy = reply.headers.get("content-security-policy", "")
    return next((d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors")), "")


def preflight(base: str, origin: str, client: httpx.Client | TestClient | None = None) -> httpx.Response:
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type,x-gradio-user"}
    return (client or httpx).options(f"{base}/api/ask", headers=headers)


def test_every_response_carries_the_frame_ancestors_policy(server: Server):
    page = httpx.get(f"{server.url}/")
    asset = re.search(r'src="\.?/?(assets/[^"]+\.js)"', page.text)
    assert asset, "the chat page names its script bundle"
    paths = ["/", "/healthz", "/widget.js", "/docs", "/openapi.json", "/config", "/gradio_api/info",
             f"/{asset.group(1)}", "/no-such-page"]
    for path in paths:
        reply = httpx.get(f"{server.url}{path}")
        assert frame_ancestors(reply) == DEFAULT_ANCESTORS, path
    bad = httpx.post(f"{server.url}/api/ask", json={})
    assert bad.status_code == 422 and frame_ancestors(bad) == DEFAULT_ANCESTORS


def test_a_local_page_may_call_the_api_cross_origin(server: Server):
    reply = preflight(server.url, "http://localhost:5173")
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-gradio-user" in reply.headers["access-control-allow-headers"].lower()
    simple = httpx.get(f"{server.url}/gradio_api/info", headers={"Origin": "http://127.0.0.1:8000"})
    assert simple.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost.evil.example", "http://127.0.0.2:8000",
                                    "null"])
def test_other_origins_get_no_cors_grant_from_us_or_gradio(server: Server, origin: str):
    assert "access-control-allow-origin" not in preflight(server.url, origin).headers
    for path in ("/gradio_api/info", "/config", "/healthz"):
        reply = httpx.get(f"{server.url}{path}", headers={"Origin": origin})
        assert "access-control-allow-origin" not in reply.headers, path


def test_no_cookies_are_set(server: Server):
    replies = [httpx.get(f"{server.url}{p}") for p in ("/", "/config", "/gradio_api/info", "/widget.js")]
    replies.append(httpx.post(f"{server.url}/api/ask", json={"question": "how do I do the bridge?"}))
    assert all("set-cookie" not in r.headers for r in replies)


@pytest.mark.parametrize("origin", ["clinic.example", "https://clinic.example/page",
                                    "https://clinic.example; script-src *",
                                    "https://clinic.example 'unsafe-inline'", "javascript:alert(1)", "*"])
def test_an_origin_that_is_not_one_is_refused_by_name(origin: str):
    settings = Settings().updated({"allowed_origins": [origin]})
    with pytest.raises(AssistantError, match="allowed_origins"):
        origins.embed_sources(settings)


def test_the_cors_pattern_accepts_exactly_what_csp_accepts():
    pattern = re.compile(origins.origin_regex(("https://clinic.example", "https://*.riverside.example:*")))
    accepted = ["https://clinic.example", "https://book.riverside.example", "https://a.b.riverside.example:8443"]
    refused = ["http://clinic.example", "https://clinic.example.evil.com", "https://clinic.example:8443",
               "https://riverside.example", "https://evil.example/.riverside.example", "https://xriverside.example"]
    assert all(pattern.fullmatch(o) for o in accepted)
    assert not any(pattern.fullmatch(o) for o in refused)


def test_configured_origins_replace_the_local_default(clinic_client: TestClient):
    reply = clinic_client.get("/")
    assert frame_ancestors(reply) == "frame-ancestors 'self' https://clinic.example"
    assert preflight("", "https://clinic.example", clinic_client).headers["access-control-allow-origin"] == \
        "https://clinic.example"
    assert "access-control-allow-origin" not in preflight("", "http://localhost:5173", clinic_client).headers


def test_gradio_grants_no_origin_of_its_own(clinic_client: TestClient):
    """Gradio's own CORS layer grants any origin when the server's host is not local, with credentials; it is
    taken out of the mounted app (server.without_gradio_cors), so the allow-list above is the only policy."""
    for path in ("/gradio_api/info", "/config"):
        reply = clinic_client.get(path, headers={"Origin": "https://evil.example"})
        assert reply.status_code == 200, path
        assert "access-control-allow-origin" not in reply.headers, path
        assert "access-control-allow-credentials" not in reply.headers, path
