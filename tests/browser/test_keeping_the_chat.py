"""A conversation that survives a reload, ends only when asked twice, tells a patient how to book, and says
what to do when the connection drops."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from web.serving import Server

from browser.pages import (
    BOT,
    TEXTBOX,
    USER,
    ask,
    axe_violations,
    open_chat_at,
    screenshot,
    wait_until_first_line_in_view,
)

pytestmark = pytest.mark.browser

FULL_FOOTER = "This is general exercise information from one article, not medical advice."
COMPACT_FOOTER = "General information, not medical advice. Stop if anything hurts."
SAVED = "back-assistant:questions"


def test_the_full_footer_comes_once_then_one_line(page: Page, server: Server):
    open_chat_at(page, server.url, 390)
    ask(page, "how do I do the bridge?")
    ask(page, "what muscles does it work?")
    first, second = page.locator(BOT).nth(0), page.locator(BOT).nth(1)
    expect(first).to_contain_text(FULL_FOOTER)
    expect(second).not_to_contain_text(FULL_FOOTER)
    expect(second.locator(".reply hr:last-of-type ~ p")).to_have_text(COMPACT_FOOTER)


def test_a_reload_keeps_the_conversation_and_new_chat_asks_first(page: Page, server: Server):
    open_chat_at(page, server.url, 390)
    ask(page, "how do I do the bridge?")
    ask(page, "how long do I hold it?")
    asked = page.locator(USER).all_inner_texts()
    answered = page.locator(BOT).all_inner_texts()
    assert page.evaluate(f"JSON.parse(sessionStorage.getItem('{SAVED}'))") == [
        "how do I do the bridge?", "how long do I hold it?"]

    page.reload()
    expect(page.locator(BOT)).to_have_count(2)
    assert page.locator(USER).all_inner_texts() == asked
    assert page.locator(BOT).all_inner_texts() == answered
    wait_until_first_line_in_view(page)
    screenshot(page, "chat-after-reload-390")

    new_chat = page.get_by_role("button", name="New chat")
    new_chat.click()
    dialog = page.get_by_role("dialog", name="Start a new chat?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Keep this chat")).to_be_focused()
    assert axe_violations(page) == []
    screenshot(page, "chat-new-chat-confirm-390")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(BOT)).to_have_count(2)
    expect(new_chat).to_be_focused()

    new_chat.click()
    dialog.get_by_role("button", name="Clear and start again").click()
    expect(page.locator(BOT)).to_have_count(0)
    expect(page.locator("button.example").first).to_be_visible()
    expect(page.locator(TEXTBOX)).to_be_focused()
    assert page.evaluate(f"sessionStorage.getItem('{SAVED}')") is None
    page.reload()
    expect(page.locator("button.example").first).to_be_visible()
    expect(page.locator(BOT)).to_have_count(0)


def test_where_seeing_someone_is_the_advice_the_answer_says_how_to_book(page: Page, clinic_server: Server):
    open_chat_at(page, clinic_server.url, 390)
    reply = ask(page, "what is causing my back pain?")
    book = reply.get_by_role("link", name="Book an appointment with Riverside Physio")
    expect(book).to_have_attribute("href", "https://riverside.example/book")
    expect(reply.get_by_role("link", name="01234 567890")).to_have_attribute("href", "tel:01234567890")
    wait_until_first_line_in_view(page)
    screenshot(page, "chat-booking-link-390")


def test_a_lost_connection_says_what_to_do_and_reloading_brings_the_chat_back(page: Page,
                                                                              clinic_server: Server):
    open_chat_at(page, clinic_server.url, 390)
    ask(page, "how do I do the bridge?")
    expect(page.locator(TEXTBOX)).to_be_enabled()
    page.context.set_offline(True)
    page.locator(TEXTBOX).fill("how long do I hold it?")
    page.locator(TEXTBOX).press("Enter")
    alert = page.get_by_role("alert").filter(has_text="The connection to the exercise assistant was lost.")
    expect(alert).to_be_visible()
    expect(alert.get_by_role("link", name="01234 567890")).to_have_attribute("href", "tel:01234567890")
    expect(alert.get_by_role("link", name="book an appointment")).to_have_attribute(
        "href", "https://riverside.example/book")
    expect(alert).to_contain_text("If it is an emergency, call your local emergency number")
    expect(page.locator(".toast-body.error")).to_be_hidden()
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []
    screenshot(page, "chat-connection-lost-390-dark")
    page.emulate_media(color_scheme="light")
    screenshot(page, "chat-connection-lost-390")

    alert.get_by_role("button", name="Try again").click()
    expect(alert).to_contain_text("Still no connection.")
    page.context.set_offline(False)
    alert.get_by_role("button", name="Try again").click()
    expect(page.locator(BOT)).to_have_count(1)
    expect(page.locator(BOT).first).to_contain_text("Lie on your back with your knees bent")
    expect(page.get_by_role("alert").filter(has_text="connection")).to_have_count(0)
