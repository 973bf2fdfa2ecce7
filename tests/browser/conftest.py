"""A real headless Chromium, the running server, and clinic pages served from other origins."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from web.serving import PROXIED, Server, free_port, session_server, start

from browser.pages import CLINIC, RECORD_CSP_VIOLATIONS, Pages, as_a_person

CHROMIUM = "/usr/bin/chromium"
# Cross-origin iframes of the app stayed at "Loading..." in headless Chromium without this.
CHROMIUM_ARGS = ["--disable-features=IsolateOrigins,site-per-process"]


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    return session_server(request.config, tmp_path_factory)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    as_a_person(context)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def serve_directory(directory: Path, host: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer((host, free_port(host)), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://{host}:{httpd.server_port}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output for the tests."""


@contextmanager
def on_two_origins(directory: Path) -> Iterator[Pages]:
    """The folder served from 127.0.0.1 (an origin the server allows) and from 127.0.0.2 (one it refuses)."""
    allowed, allowed_url = serve_directory(directory, "127.0.0.1")
    refused, refused_url = serve_directory(directory, "127.0.0.2")
    try:
        yield Pages(allowed=allowed_url, refused=refused_url)
    finally:
        for httpd in (allowed, refused):
            httpd.shutdown()
            httpd.server_close()


@pytest.fixture(scope="session")
def pages(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    """The clinic pages on two more origins: 127.0.0.1 on another port (allowed) and 127.0.0.2 (not)."""
    directory = tmp_path_factory.mktemp("clinic-site")
    Pages.write(directory, server.url)
    with on_two_origins(directory) as pages:
        yield pages


@pytest.fixture(scope="session")
def clinic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second real server, set up as a clinic would: its name, phone number and booking link."""
    server = start(tmp_path_factory.mktemp("clinic-server"), {**CLINIC, **PROXIED})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def clinic_pages(clinic_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    """The clinic's pages for `clinic_server`, plus its own copy of widget.js pointed at a port nobody serves."""
    directory = tmp_path_factory.mktemp("clinic-site-configured")
    Pages.write(directory, clinic_server.url)
    widget_js = httpx.get(f"{clinic_server.url}/widget.js").text
    Pages.write_self_hosted(directory, widget_js, f"http://127.0.0.1:{free_port()}")
    with on_two_origins(directory) as pages:
        yield pages
