"""The clinic's widget on a page from another origin, and a disallowed origin that tries to frame the chat."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Page, expect
from web.serving import Server

from browser.pages import TEXTBOX, Pages, ask, axe_violations, csp_violations, screenshot

pytestmark = pytest.mark.browser

TITLE = "Riverside back exercises"  # data-title in examples/clinic-site.html


def chat_frame(page: Page, server: Server) -> Frame:
    return next(f for f in page.frames if f.url.startswith(server.url))


def tab_to(page: Page, name: str) -> None:
    target = page.get_by_role("button", name=name)
    for _ in range(10):
        if target.evaluate("e => e.getRootNode().activeElement === e"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_widget_opens_by_keyboard_answers_and_closes_with_escape(page: Page, server: Server, pages: Pages,
                                                                    width: int):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    page.goto(f"{pages.allowed}/clinic.html")
    # By class, not role: at phone width the open panel covers the screen and the launcher is hidden.
    launcher = page.locator("[data-back-assistant] button.launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")

    tab_to(page, "Ask about back exercises")
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name=TITLE)
    expect(panel).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name=f"Close {TITLE}")).to_be_focused()

    chat = page.frame_locator(f"iframe[title='{TITLE} chat']")
    expect(chat.locator("button.example").first).to_be_visible()
    assert axe_violations(page) == []
    assert axe_violations(chat_frame(page, server)) == []
    reply = ask(chat, "how do I do the bridge?")
    expect(reply).to_contain_text("Lie on your back with your knees bent")
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    screenshot(page, f"widget-{width}")

    # Escape from inside the chat (a message from the frame) and from the panel itself both close it.
    chat.locator(TEXTBOX).focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    origins = {pages.allowed, server.url}
    assert all(any(url.startswith(o) for o in origins) for url in requested), sorted(set(requested) - origins)
    assert csp_violations(page) == [], "the chat works cross-origin under its CSP"


def test_a_page_on_a_disallowed_origin_cannot_frame_the_chat(page: Page, server: Server, pages: Pages):
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        page.goto(f"{pages.refused}/framed.html")
    expect(page.frame_locator("#chat").locator(TEXTBOX)).to_have_count(0)


def test_a_page_on_an_allowed_origin_can_frame_the_chat(page: Page, pages: Pages):
    """The control for the test above: the same page, served from an allowed origin, shows the chat."""
    page.goto(f"{pages.allowed}/framed.html")
    expect(page.frame_locator("#chat").locator(TEXTBOX)).to_be_visible()
