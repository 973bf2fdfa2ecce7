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


def widget_dialog(page: Page, title: str = TITLE):
    return page.get_by_role("dialog", name=title)


def test_on_a_phone_the_widget_is_a_modal_dialog_that_keeps_focus_and_the_page_still(page: Page, server: Server,
                                                                                    pages: Pages):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{pages.allowed}/clinic.html")
    page.evaluate("document.body.style.minHeight = '3000px'")
    launcher = page.locator("[data-back-assistant] button.launcher")
    launcher.click()
    dialog = widget_dialog(page)
    expect(dialog).to_have_attribute("aria-modal", "true")
    assert dialog.evaluate("d => d.matches(':modal')"), "a native modal: the page behind is inert"
    chat = page.frame_locator(f"iframe[title='{TITLE} chat']")
    expect(chat.locator(TEXTBOX)).to_be_visible()
    # One title: the panel's bar. The chat's own h1 stays for screen readers only.
    title = chat.locator("h1")
    assert title.evaluate("h => h.getBoundingClientRect().height") <= 1
    # Before: the bar, then the chat's own title and introduction, 172 px above the first example.
    first, bar = chat.locator("button.example").first.bounding_box(), dialog.locator(".bar").bounding_box()
    assert first and bar and first["y"] - (bar["y"] + bar["height"]) < 120, "the chat starts under the bar"

    # Tab and Shift+Tab never reach the clinic's links behind the dialog.
    for key in ["Tab"] * 25 + ["Shift+Tab"] * 10:
        page.keyboard.press(key)
        behind = page.evaluate("() => { const a = document.activeElement;"
                               " return a && a.closest('header, main') ? a.textContent.trim() : null; }")
        assert behind is None, f"focus reached {behind!r} behind the dialog after {key}"

    # Scrolling on the title bar does not scroll the page behind.
    page.mouse.move(bar["x"] + 40, bar["y"] + bar["height"] / 2)
    page.mouse.wheel(0, 600)
    page.wait_for_function("() => new Promise(done => requestAnimationFrame(() => done(true)))")
    assert page.evaluate("scrollY") == 0
    assert axe_violations(page) == []
    screenshot(page, "widget-dialog-390")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    page.mouse.wheel(0, 600)
    page.wait_for_function("() => scrollY > 0")  # the page scrolls again once the dialog is closed


def problem_message(page: Page, text: str) -> None:
    dialog = widget_dialog(page)
    message = dialog.get_by_role("alert")
    expect(message).to_contain_text(text)
    assert axe_violations(page) == []
    expect(message.get_by_role("link", name="01234 567890")).to_have_attribute("href", "tel:01234567890")
    expect(message.get_by_role("link", name="book an appointment")).to_have_attribute(
        "href", "https://riverside.example/book")
    expect(message).to_contain_text("If it is an emergency, call your local emergency number")
    expect(dialog.locator("iframe")).to_have_count(0)


def test_with_the_assistant_down_at_page_load_the_button_still_appears_and_says_what_to_do(
        page: Page, clinic_pages: Pages):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{clinic_pages.allowed}/self-hosted.html")
    launcher = page.get_by_role("button", name="Ask about back exercises")
    expect(launcher).to_be_visible()
    launcher.click()
    problem_message(page, "The exercise assistant is not working right now.")
    screenshot(page, "widget-down-at-load-390")


def test_with_the_assistant_down_when_the_button_is_pressed(page: Page, clinic_server: Server,
                                                           clinic_pages: Pages):
    page.goto(f"{clinic_pages.allowed}/clinic.html")
    page.route(f"{clinic_server.url}/**", lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="Ask about back exercises").click()
    problem_message(page, "The exercise assistant is not working right now.")
    screenshot(page, "widget-down-at-click-1280")


def test_on_a_site_that_may_not_embed_it_the_widget_says_so_in_words(page: Page, clinic_pages: Pages):
    with page.expect_console_message(lambda m: "allowed_origins" in m.text):
        page.goto(f"{clinic_pages.refused}/clinic.html")
        page.get_by_role("button", name="Ask about back exercises").click()
        problem_message(page, "The exercise assistant cannot open on this page.")
    screenshot(page, "widget-blocked-origin-1280")


def test_a_connection_lost_mid_chat_in_the_widget_says_what_to_do(page: Page, clinic_pages: Pages):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{clinic_pages.allowed}/clinic.html")
    page.get_by_role("button", name="Ask about back exercises").click()
    chat = page.frame_locator(f"iframe[title='{TITLE} chat']")
    expect(ask(chat, "how do I do the bridge?")).to_contain_text("Lie on your back")
    expect(chat.locator(TEXTBOX)).to_be_enabled()
    page.context.set_offline(True)
    chat.locator(TEXTBOX).fill("how long do I hold it?")
    chat.locator(TEXTBOX).press("Enter")
    alert = chat.get_by_role("alert").filter(has_text="The connection to the exercise assistant was lost.")
    expect(alert.get_by_role("link", name="01234 567890")).to_be_visible()
    screenshot(page, "widget-connection-lost-390")
    page.context.set_offline(False)
