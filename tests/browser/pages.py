"""Clinic pages for the widget tests, and helpers that drive the chat, run axe-core and take screenshots."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Frame, FrameLocator, Locator, Page, Route, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
EXAMPLE_SITE = ROOT / "examples" / "clinic-site.html"
EXAMPLE_APP_URL = "http://127.0.0.1:7860"

TEXTBOX = "textarea[data-testid='textbox']"
BOT = "[data-testid='bot']"
USER = "[data-testid='user']"
SERIOUS = ("serious", "critical")
# The settings of the clinic-configured server (conftest.clinic_server) that patients should see.
CLINIC = {"ASSISTANT_CLINIC_NAME": "Riverside Physio", "ASSISTANT_CLINIC_PHONE": "01234 567890",
          "ASSISTANT_BOOKING_LINK": "https://riverside.example/book"}
# One documentation address (RFC 3849) per test: see as_a_person.
PEOPLE = (f"2001:db8::{n:x}" for n in itertools.count(1))
# Widths and colour schemes every reading check runs at: a phone and a laptop, light and dark.
VIEWS = [(390, "light"), (390, "dark"), (1280, "light"), (1280, "dark")]


@dataclass(frozen=True)
class Pages:
    allowed: str
    refused: str

    @staticmethod
    def write(directory: Path, app_url: str) -> None:
        """The example clinic page pointed at the test server, and a page that frames the chat directly."""
        site = EXAMPLE_SITE.read_text(encoding="utf-8")
        assert EXAMPLE_APP_URL in site, "examples/clinic-site.html embeds the widget from the default address"
        (directory / "clinic.html").write_text(site.replace(EXAMPLE_APP_URL, app_url), encoding="utf-8")
        (directory / "framed.html").write_text(
            f'<!doctype html><html lang="en"><head><title>Framing test</title></head><body>'
            f'<iframe id="chat" title="chat" src="{app_url}/" width="800" height="600"></iframe>'
            '</body></html>',
            encoding="utf-8")

    @staticmethod
    def write_self_hosted(directory: Path, widget_js: str, app_url: str) -> None:
        """The clinic serving its own copy of widget.js (as docs/widget.md suggests), pointed at `app_url`."""
        (directory / "widget.js").write_text(widget_js, encoding="utf-8")
        site = EXAMPLE_SITE.read_text(encoding="utf-8").replace(
            f'src="{EXAMPLE_APP_URL}/widget.js"', f'src="widget.js" data-app="{app_url}/"')
        (directory / "self-hosted.html").write_text(site, encoding="utf-8")


def as_a_person(context: BrowserContext) -> None:
    """Make this browser one client of its own: its chat calls name a new address in the test servers'
    trusted proxy header (web.serving.PROXIED), so the suite, run fast from one machine, meets the
    per-client limits as that many people would rather than as one flood. Routed, because Chromium sends
    extra context headers in CORS preflights too, which would change what the widget's checks see."""
    address = next(PEOPLE)

    def named(route: Route) -> None:
        route.continue_(headers={**route.request.headers, "x-forwarded-for": address})

    context.route(re.compile(r"/gradio_api/"), named)


def ask(target: Page | FrameLocator, question: str) -> Locator:
    """Type a question, press Enter, and return the new reply once it has arrived."""
    replies = target.locator(BOT)
    before = replies.count()
    target.locator(TEXTBOX).fill(question)
    target.locator(TEXTBOX).press("Enter")
    expect(replies).to_have_count(before + 1)
    return replies.last


def open_chat_at(page: Page, url: str, width: int = 1280, scheme: str = "light") -> None:
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 800})
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(url)
    wait_for_chat(page)


def wait_for_chat(page: Page | Frame) -> None:
    """Until Gradio has drawn the chat and chat.js has named its controls: keyboard and focus tests
    that start earlier race the script's first pass."""
    expect(page.locator("button.example").first).to_be_visible()
    expect(page.locator(f"{TEXTBOX}[aria-label='Your question']")).to_be_visible()


def wait_until_first_line_in_view(page: Page | Frame, which: int = -1) -> dict[str, float]:
    """Wait until the top of reply `which` (its first line) is inside the conversation's view and the window."""
    condition = """which => {
        const replies = [...document.querySelectorAll("[data-testid='bot']")];
        const reply = replies.at(which);
        const log = document.querySelector("#conversation [role='log']");
        if (!reply || !log) return false;
        const top = reply.getBoundingClientRect().top, view = log.getBoundingClientRect();
        const line = parseFloat(getComputedStyle(reply).lineHeight) || 24;
        return top >= view.top - 1 && top + line <= Math.min(view.bottom, innerHeight) && top >= 0
            ? {top, viewTop: view.top} : false;
    }"""
    return page.wait_for_function(condition, arg=which).json_value()


def axe_violations(target: Page | Frame, context: str | dict[str, Any] = "html") -> list[dict[str, Any]]:
    """Serious and critical axe-core findings, with the offending nodes, for a readable failure."""
    script = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    target.evaluate(script)
    results = target.evaluate("context => axe.run(context, {resultTypes: ['violations']})", context)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]}
            for v in results["violations"] if v["impact"] in SERIOUS]


# Registered in every frame before any of the page's scripts: each Content-Security-Policy violation the
# browser reports, as "directive blocked-uri".
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def csp_violations(page: Page) -> list[str]:
    """Violations reported so far in the page and all its frames."""
    found: list[str] = []
    for frame in page.frames:
        found += frame.evaluate("window.__cspViolations || []")
    return found


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
