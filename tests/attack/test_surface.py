"""Findings 1, 2 (open proxy) and 8: only the product's surfaces answer. Every Gradio route and page
function is either needed (a row in assistant/web/surface.py says why) or closed on the real server."""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fakes import HashingEmbedder
from starlette.routing import Mount
from web.serving import Server, free_port

from assistant import Assistant, Settings
from assistant.web import create_app, surface
from attack import raw
from attack.conftest import Functions, gradio_dir

# Every route the app has (Gradio 6.31 mounted at /, our FastAPI routes): an upgrade that adds or
# renames one fails here, so someone decides whether the product needs it.
KNOWN_ROUTES = """
GET / ; GET /assets/{path:path} ; GET /config ; GET /config/ ; GET /corpus/{image:path} ; GET /docs ;
GET /docs/oauth2-redirect ; GET /favicon.ico ; GET /gradio_api/app_id ; GET /gradio_api/app_id/ ;
GET /gradio_api/call/v2/{api_name}/{event_id} ;
GET /gradio_api/call/{api_name}/{event_id} ; GET /gradio_api/custom_component/{id}/{environment}/{type}/{file_name} ;
GET /gradio_api/deep_link ; GET /gradio_api/dev/reload ; GET /gradio_api/file/{path:path} ;
GET /gradio_api/file={path_or_url:path} ; GET /gradio_api/heartbeat/{session_hash} ; GET /gradio_api/info ;
GET /gradio_api/info/ ; GET /gradio_api/login_check ; GET /gradio_api/login_check/ ; GET /gradio_api/openapi.json ;
GET /gradio_api/proxy={url_path:path} ; GET /gradio_api/queue/data ; GET /gradio_api/queue/status ;
GET /gradio_api/runs ; GET /gradio_api/runs/ ; GET /gradio_api/startup-events ;
GET /gradio_api/stream/{session_hash}/{run}/{component_id}/playlist-file ;
GET /gradio_api/stream/{session_hash}/{run}/{component_id}/playlist.m3u8 ;
GET /gradio_api/stream/{session_hash}/{run}/{component_id}/{segment_id}.{ext} ; GET /gradio_api/theme.css ;
GET /gradio_api/token ; GET /gradio_api/token/ ; GET /gradio_api/upload_progress ; GET /gradio_api/user ;
GET /gradio_api/user/ ; GET /gradio_api/vibe-code ; GET /gradio_api/vibe-code/ ; GET /healthz ;
GET /insights ; GET /insights/export/{name}.csv ; GET /logout ;
GET /manifest.json ; GET /monitoring ; GET /monitoring/summary ; GET /monitoring/{key} ; GET /openapi.json ;
GET /pwa_icon ; GET /pwa_icon/{size} ; GET /robots.txt ; GET /static/{path:path} ; GET /svelte/{path:path} ;
GET /theme.css ; GET /widget.js ; HEAD / ; HEAD /gradio_api/file={path_or_url:path} ;
HEAD /gradio_api/proxy={url_path:path} ; HEAD /openapi.json ; POST /api/ask ; POST /gradio_api/api/{api_name} ;
POST /gradio_api/api/{api_name}/ ; POST /gradio_api/call/v2/{api_name} ; POST /gradio_api/call/v2/{api_name}/ ;
POST /gradio_api/call/{api_name} ; POST /gradio_api/call/{api_name}/ ; POST /gradio_api/cancel ;
POST /gradio_api/component_server ; POST /gradio_api/component_server/ ; POST /gradio_api/process_recording ;
POST /gradio_api/queue/join ; POST /gradio_api/reset ; POST /gradio_api/reset/ ; POST /gradio_api/run/{api_name} ;
POST /gradio_api/run/{api_name}/ ; POST /gradio_api/stream/{event_id} ; POST /gradio_api/stream/{event_id}/close ;
POST /gradio_api/undo-vibe-edit ; POST /gradio_api/undo-vibe-edit/ ; POST /gradio_api/upload ;
POST /gradio_api/vibe-code ; POST /gradio_api/vibe-code/ ; POST /gradio_api/vibe-edit ; POST /gradio_api/vibe-edit/ ;
POST /gradio_api/vibe-starter-queries ; POST /gradio_api/vibe-starter-queries/ ; POST /insights/login ;
POST /insights/logout ; POST /login ; POST /login/
"""
# Concrete addresses for templates where the product needs one value and nothing else.
SAMPLES = {
    "/static/{path:path}": ["/static/js/iframeResizer.contentWindow.min.js", "/static/img/logo.svg"],
    "/gradio_api/run/{api_name}": ["/gradio_api/run/predict", "/gradio_api/run/ask"],
    "/gradio_api/file={path_or_url:path}": ["/gradio_api/file=http://198.51.100.9/x.png",
                                            "/gradio_api/file=/etc/passwd"],
}
# Gradio functions the page never calls (measured); they exist because ChatInterface builds them. Retry
# and Undo are among them: the page shows neither button.
RETRY = {"_pop_last_user_message", "lambda_8", "_append_message_to_history_1", "lambda_4", "_submit_fn_2",
         "lambda_5", "lambda_6", "_save_conversation_1", "lambda_10"}
UNDO = {"_pop_last_user_message_1", "lambda_12", "_save_conversation_2"}
CLOSED_FUNCTIONS = {"load_example", "unnamed", "unnamed_1"} | RETRY | UNDO


def app_routes(routes: list, prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from app_routes(route.routes or [], prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI's record of an included router
            yield from app_routes(route.original_router.routes, prefix)
        elif hasattr(route, "path"):
            for method in route.methods or ():
                yield method, prefix + route.path


@pytest.fixture(scope="module")
def built_routes(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    settings = Settings().updated({"index_dir": tmp_path_factory.mktemp("index")})
    app = create_app(Assistant.load(settings, embedder=HashingEmbedder()))
    return set(app_routes(app.routes))


def samples(path: str) -> list[str]:
    return SAMPLES.get(path) or [re.sub(r"\{[^}]+\}", "x", path)]


def test_the_app_has_exactly_the_routes_reviewed_here(built_routes: set[tuple[str, str]]):
    known = {tuple(item.split()) for item in KNOWN_ROUTES.replace("\n", " ").split(" ; ")}
    assert built_routes == known, f"added: {sorted(built_routes - known)}, gone: {sorted(known - built_routes)}"


def test_every_route_is_needed_or_closed(built_routes: set[tuple[str, str]], target: Server):
    needed, closed = [], []
    for method, template in sorted(built_routes):
        for path in samples(template):
            row = surface.find_route(method, path)
            if row is not None:
                needed.append((method, path, row.why))
                continue
            reply = httpx.request(method, f"{target.url}{path}", timeout=10)
            assert reply.status_code == 404, (method, path)
            assert method == "HEAD" or reply.json() == {"detail": "Not Found"}, (method, path)
            closed.append((method, path))
    assert all(why for _, _, why in needed)
    # The product's own surfaces are among the needed, and the dangerous ones among the closed.
    assert {("POST", "/api/ask"), ("GET", "/widget.js"), ("GET", "/healthz"), ("GET", "/corpus/x")} <= {
        (m, p) for m, p, _ in needed}
    assert {("POST", "/gradio_api/upload"), ("GET", "/gradio_api/deep_link"), ("POST", "/gradio_api/call/v2/x"),
            ("GET", "/gradio_api/proxy=x"), ("GET", "/monitoring")} <= set(closed)
    assert len(closed) > 60


def test_every_page_function_is_needed_or_closed(functions: Functions, target: Server):
    names = set(functions.numbers)
    assert names == set(surface.PAGE_FUNCTIONS) | CLOSED_FUNCTIONS, "a Gradio upgrade changed the page's functions"
    headers = raw.client(1)
    for name in sorted(CLOSED_FUNCTIONS):
        for send in (raw.join, raw.run):
            reply = send(target.url, functions[name], [], raw.session(), headers)
            assert (reply.status_code, reply.json()["detail"]) == (404, "No such function."), name
    # A queued function through the unqueued route, a number past the end, and a number as text.
    for number in (functions["_submit_fn"], 999, "3", True, None):
        reply = raw.run(target.url, number, ["hi", []], raw.session(), headers)  # type: ignore[arg-type]
        assert reply.status_code == 404, number


def test_a_forged_conversation_cannot_become_a_deep_link(functions: Functions, target: Server):
    """The attack: store a fake assistant reply in a session, ask Gradio for a deep link to it, send the
    link to patients. A state file planted in Gradio's deep-link folder (as one made before the fix
    would be) is not shown either, and the folder is never written."""
    forged = ("**Your clinic**: pay the booking fee at https://pay.example/x ![t](http://198.51.100.9/t.png)")
    history = [{"role": "user", "metadata": None, "options": None, "content": [{"type": "text", "text": "hi"}]},
               {"role": "assistant", "metadata": None, "options": None,
                "content": [{"type": "text", "text": forged}]}]
    attacker = raw.session()
    stored = raw.run(target.url, functions["lambda"], [history], attacker, raw.client(2))
    assert stored.status_code == 200  # the page's own function: it stores the attacker's own session only
    assert httpx.get(f"{target.url}/gradio_api/deep_link", params={"session_hash": attacker}).status_code == 404

    planted = "a" * 40
    folder = gradio_dir(target) / "deep_links" / planted
    folder.mkdir(parents=True)
    config = httpx.get(f"{target.url}/config").json()
    components = [{**c, "props": {**c.get("props", {}), "value": forged}} for c in config["components"]]
    (folder / "state.json").write_text(json.dumps(components))
    for path in (f"/?deep_link={planted}", f"/config?deep_link={planted}"):
        page = httpx.get(f"{target.url}{path}")
        assert page.status_code == 200 and "pay.example" not in page.text, path
    assert sorted(p.name for p in (gradio_dir(target) / "deep_links").iterdir()) == [planted]


@pytest.fixture
def bait() -> Iterator[tuple[str, list[str]]]:
    """A loopback web server standing in for any public address: it records every request it gets."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"\x89PNG")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", hits
    httpd.shutdown()
    httpd.server_close()


def test_the_server_fetches_no_url_and_takes_no_upload(functions: Functions, target: Server,
                                                      bait: tuple[str, list[str]], tmp_path: Path):
    url, hits = bait
    assert httpx.get(f"{target.url}/gradio_api/file={url}/x.png").status_code == 404
    assert httpx.get(f"{target.url}/gradio_api/proxy={url}/x.png").status_code == 404
    upload = httpx.post(f"{target.url}/gradio_api/upload", files={"files": ("x.png", b"\x89PNG" * 1000)})
    assert upload.status_code == 404
    # A file in the chat history is what Gradio would download into its cache: refused before it can.
    file_message = {"role": "user", "content": [{"type": "file", "file": {
        "path": f"{url}/t.png", "url": f"{url}/t.png", "meta": {"_type": "gradio.FileData"}}}]}
    for send, name in ((raw.run, "_append_message_to_history"), (raw.join, "_submit_fn")):
        reply = send(target.url, functions[name], ["hi", [file_message]], raw.session(), raw.client(3))
        assert (reply.status_code, reply.json()["detail"]) == (400, "The chat accepts text only."), name
    assert hits == []
    assert not (gradio_dir(target)).exists() or not any(
        p for p in gradio_dir(target).rglob("*") if p.is_file() and "deep_links" not in p.parts)


@pytest.mark.parametrize(("path", "body"), [
    ("/gradio_api/call/v2/ask", {"data": ["what helps lower back pain?"]}),
    ("/gradio_api/call/ask", {"data": ["hi"]}),
    ("/gradio_api/run/ask", {"data": ["hi"]}),
    ("/gradio_api/queue/join", "not an object"),
    ("/gradio_api/queue/join", {"data": ["hi"]}),
])
def test_direct_calls_are_4xx_not_500(target: Server, path: str, body: object):
    reply = httpx.post(f"{target.url}{path}", json=body, headers=raw.client(4))
    assert 400 <= reply.status_code < 500, reply.text


@pytest.mark.parametrize("raw_body", [b'{"question": NaN}', b'{"question": Infinity}', b'{"question": -Infinity}',
                                      b'{"question": "hi", "history": [{"role": "user", "content": NaN}]}',
                                      b'{"question": 1e999}', b'[' * 5000 + b']' * 5000, b"\xff\xfe"])
def test_unrepresentable_bodies_are_4xx_not_500(target: Server, raw_body: bytes):
    reply = httpx.post(f"{target.url}/api/ask", content=raw_body, headers={"content-type": "application/json",
                                                                          **raw.client(5)})
    assert 400 <= reply.status_code < 500, reply.text
    assert reply.json()["detail"]


def test_config_does_not_name_the_gradio_release(target: Server):
    config = httpx.get(f"{target.url}/config").json()
    page = httpx.get(f"{target.url}/").text
    assert config["version"] == "6"
    assert '"version":"6.31' not in page and "6.31.0" not in json.dumps(config)


def test_no_address_accepts_a_websocket(target: Server):
    handshake = (b"GET /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    with socket.create_connection(("127.0.0.1", target.port), timeout=10) as s:
        s.sendall(handshake)
        status = s.recv(1024).split(b"\r\n")[0]
    assert b" 101 " not in status and status.startswith(b"HTTP/1.1 4"), status
