"""The clinic's emergency number survives Gradio's sanitiser as a tap-to-call link, in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from web.serving import Server, start

from browser.pages import ask

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def numbered_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server for a clinic that set `emergency_number` (the shared one keeps the country-neutral default)."""
    server = start(tmp_path_factory.mktemp("numbered"), {"ASSISTANT_EMERGENCY_NUMBER": "999"})
    yield server
    server.stop()


def test_the_emergency_card_offers_a_tap_to_call_link(page: Page, numbered_server: Server) -> None:
    page.goto(numbered_server.url)
    expect(page.locator("button.example").first).to_be_visible()
    reply = ask(page, "I fell off a ladder and landed on my back")
    link = reply.get_by_role("link", name="Call 999")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == "tel:999"
    expect(reply).to_contain_text("You said: “I fell off a ladder and landed on my back”")
