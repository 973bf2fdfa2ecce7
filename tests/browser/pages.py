"""Clinic pages for the widget tests, and helpers that drive the chat, run axe-core and take screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
EXAMPLE_SITE = ROOT / "examples" / "clinic-site.html"
EXAMPLE_APP_URL = "http://127.0.0.1:7860"

TEXTBOX = "textarea[data-testid='textbox']"
BOT = "[data-testid='bot']"
USER = "[data-testid='user']"
SERIOUS = ("serious", "critical")


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


def ask(target: Page | FrameLocator, question: str) -> Locator:
    """Type a question, press Enter, and return the new reply once it has arrived."""
    replies = target.locator(BOT)
    before = replies.count()
    target.locator(TEXTBOX).fill(question)
    target.locator(TEXTBOX).press("Enter")
    expect(replies).to_have_count(before + 1)
    return replies.last


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
