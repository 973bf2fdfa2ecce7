"""What a reply offers beyond its words: a plain-text copy, a hold timer, a one-page print, a picture."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from web.serving import Server

from browser.pages import BOT, SCREENSHOTS, ask, open_chat_at, screenshot, wait_until_first_line_in_view

pytestmark = pytest.mark.browser


def test_copy_gives_the_words_and_steps_as_plain_text(page: Page, server: Server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    open_chat_at(page, server.url, 390)
    reply = ask(page, "how do I do the bridge?")
    reply.locator("xpath=ancestor::div[contains(@class,'message-row')]").get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Answer copied.")).to_have_count(1)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Bridge (strengthening exercise)\n\nWhat it works: The Bridge exercise targets")
    assert "1. Lie on your back with your knees bent" in copied and "5. Repeat for the desired number" in copied
    assert "Source: Exercises For Strengthening Lower Back › Bridge" in copied
    assert not re.search(r"<[a-z/]|\*\*|###|class=", copied), copied
    assert "Copy" not in copied and "Print" not in copied, "the buttons are not part of the answer"


def test_copy_of_a_reply_quoting_the_patient_gives_their_words_as_typed(page: Page, server: Server):
    """The emergency card quotes the patient; their Markdown characters are escaped for the page, and the
    copy holds the characters they typed, without the escaping backslashes."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    open_chat_at(page, server.url, 390)
    reply = ask(page, "I can't feel anything when I wipe *and* I've wet myself")
    reply.locator("xpath=ancestor::div[contains(@class,'message-row')]").get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Answer copied.")).to_have_count(1)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "You said: “I can't feel anything when I wipe *and* I've wet myself”." in copied, copied
    assert "\\" not in copied


def test_the_hold_timer_counts_and_announces_by_keyboard(page: Page, server: Server):
    page.clock.install()
    open_chat_at(page, server.url, 1280)
    ask(page, "how long should I hold the child's pose?")
    wait_until_first_line_in_view(page)
    timer = page.get_by_role("button", name="Start 30 s timer")
    timer.focus()
    page.keyboard.press("Enter")
    box = page.locator(".hold-timer").last
    status = box.get_by_role("status")
    expect(status).to_have_text("Timer started: hold for 30 seconds.")
    expect(box.get_by_role("button", name="Stop timer")).to_be_focused()
    page.clock.run_for(5_000)
    expect(box.locator(".timer-left")).to_have_text("25 s")
    page.clock.run_for(15_000)
    expect(status).to_have_text("10 seconds left.")
    screenshot(page, "timer-running-1280")
    page.clock.run_for(10_000)
    expect(status).to_have_text("Time is up: 30 seconds. Slowly release.")
    expect(box.get_by_role("button", name="Start 30 s timer")).to_be_visible()


def test_no_timer_where_the_article_gives_no_number_and_one_under_a_one_line_exercise(page: Page, server: Server):
    """The Bridge says "hold for a few seconds": a timer would invent a dose. Planks: "for 30 seconds"."""
    open_chat_at(page, server.url, 1280)
    ask(page, "how do I do the bridge?")
    expect(page.locator(BOT).last.get_by_role("button", name=re.compile("timer"))).to_have_count(0)
    plank = ask(page, "how do I do a plank?")
    line = plank.locator(".hold-timer").locator("xpath=preceding-sibling::p[1]")
    expect(line).to_have_text("The article describes it in one line: "
                              "Hold a straight line from head to toe for 30 seconds.")
    expect(plank.get_by_role("button", name="Start 30 s timer")).to_be_visible()


def test_print_gives_the_card_alone_on_one_page(page: Page, server: Server):
    open_chat_at(page, server.url, 1280)
    ask(page, "what helps lower back pain?")
    ask(page, "how do I do the knee to chest stretch?")
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    page.get_by_role("button", name="Print this exercise").click()
    assert page.evaluate("window.printed") == 1
    sheet = page.locator("#print-sheet")
    expect(sheet.locator("h3")).to_have_text("Knee-to-Chest Stretch (pain relief exercise)")
    expect(sheet.locator("ol li")).to_have_count(4)
    expect(sheet).to_contain_text("Stop if it hurts:")
    expect(sheet).to_contain_text("Source: Exercises For Relieving Lower Back Pain › Knee-to-Chest Stretch")
    expect(sheet.locator("button")).to_have_count(0)
    expect(sheet).to_contain_text("This is general exercise information from one article, not medical advice.")
    expect(sheet.locator("img")).to_have_attribute("alt", re.compile("^Line drawing: lying on the back"))

    page.emulate_media(media="print")
    expect(sheet).to_be_visible()
    expect(page.locator("gradio-app")).to_be_hidden()
    screenshot(page, "print-knee-to-chest")
    # A4 at 96 px per inch is 1123 px tall; Chromium's default print margins take about 1 cm each side.
    assert sheet.evaluate("e => e.getBoundingClientRect().height") < 1123 - 2 * 38
    pdf = page.pdf(format="A4")
    (SCREENSHOTS / "print-knee-to-chest.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "one page"


def test_an_exercise_card_shows_its_picture_with_alt_text(page: Page, server: Server):
    open_chat_at(page, server.url, 390)
    reply = ask(page, "how do I do the bridge?")
    picture = reply.locator("img")
    expect(picture).to_have_attribute("src", "/corpus/images/bridge.svg")
    expect(picture).to_have_attribute("alt", re.compile(r"^Line drawing: lying on the back, knees bent"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    heading_then_picture = reply.evaluate(
        "e => e.querySelector('h3').compareDocumentPosition(e.querySelector('img')) & Node.DOCUMENT_POSITION_FOLLOWING")
    assert heading_then_picture, "the picture comes under the card's title"
    follow_up = ask(page, "how long do I hold it?")
    expect(follow_up.locator("img")).to_have_count(0)
