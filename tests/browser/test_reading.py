"""Following the chat on a phone and a laptop, light and dark: where answers open, where focus goes, what a
screen reader hears, how many stops a keyboard makes, and whether anything covers the text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from web.serving import Server

from browser.pages import (
    BOT,
    TEXTBOX,
    USER,
    VIEWS,
    as_a_person,
    ask,
    axe_violations,
    open_chat_at,
    screenshot,
    wait_until_first_line_in_view,
)

pytestmark = pytest.mark.browser

# Markup a screen reader or the clipboard must never get instead of words.
MARKUP = ("<div", "class=", "###", "**", "](")


def tab_stops(page: Page) -> list[str]:
    """The conversation's controls a Tab key reaches, in order."""
    return page.evaluate("""() => [...document.querySelectorAll("[role='log'] :is(button, a[href], [tabindex])")]
        .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length)
        .map(e => e.getAttribute('aria-label') || e.textContent.trim())""")


@pytest.mark.parametrize(("width", "scheme"), VIEWS)
def test_each_answer_opens_at_its_first_line_and_focus_returns_to_the_question(page: Page, server: Server,
                                                                             width: int, scheme: str):
    open_chat_at(page, server.url, width, scheme)
    assert axe_violations(page) == []

    ask(page, "how do I do the bridge?")
    wait_until_first_line_in_view(page)
    expect(page.locator(TEXTBOX)).to_be_focused()

    page.get_by_role("button", name="How long do I hold it?").click()
    expect(page.locator(BOT)).to_have_count(2)
    wait_until_first_line_in_view(page)
    expect(page.locator(TEXTBOX)).to_be_focused()
    assert page.locator(BOT).last.get_attribute("aria-label") == "Answer: Bridge: how long and how many"

    # An emergency card is checked too: its colours must read in both schemes.
    ask(page, "I can't feel anything when I wipe and I've wet myself")
    wait_until_first_line_in_view(page)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    screenshot(page, f"chat-emergency-first-line-{width}-{scheme}")


def test_an_example_also_returns_focus_and_the_send_button_has_a_name(page: Page, server: Server):
    open_chat_at(page, server.url, 390)
    expect(page.get_by_role("button", name="Send question")).to_be_visible()
    page.get_by_role("button", name="How do I do the bridge?").click()
    expect(page.locator(BOT)).to_have_count(1)
    wait_until_first_line_in_view(page)
    expect(page.locator(TEXTBOX)).to_be_focused()
    screenshot(page, "chat-bridge-card-390")


def test_a_reader_further_up_gets_a_pill_that_covers_nothing(page: Page, server: Server):
    open_chat_at(page, server.url, 390)
    ask(page, "how do I do the bridge?")
    ask(page, "what stretches help lower back pain?")
    wait_until_first_line_in_view(page)
    log = page.locator("#conversation [role='log']")
    log.evaluate("e => { e.scrollTop = 0; }")
    page.locator(TEXTBOX).fill("how long do I hold the child's pose?")
    page.locator(TEXTBOX).press("Enter")
    expect(page.locator(BOT)).to_have_count(3)

    pill = page.get_by_role("button", name="New answer ↓")
    expect(pill).to_be_visible()
    assert log.evaluate("e => e.scrollTop") == 0, "the reader's place is kept"
    pill_box, log_box = pill.bounding_box(), log.bounding_box()
    assert pill_box and log_box and pill_box["y"] >= log_box["y"] + log_box["height"], "the pill is below the text"
    assert pill_box["height"] >= 44
    assert axe_violations(page) == []
    screenshot(page, "chat-new-answer-pill-390")

    pill.click()
    wait_until_first_line_in_view(page, -1)
    expect(pill).to_be_hidden()
    expect(page.locator(TEXTBOX)).to_be_focused()


def test_messages_are_named_in_words_and_each_reply_adds_one_toolbar_stop(page: Page, server: Server):
    open_chat_at(page, server.url, 1280)
    ask(page, "how do I do the bridge?")
    first = tab_stops(page)
    ask(page, "what muscles does it work?")
    wait_until_first_line_in_view(page)
    # Each reply: one toolbar stop (Copy, Print, Dislike, Like behind arrow keys); the latest reply's
    # suggestions follow it. Before: Copy on the question, Copy, Retry, Undo, Dislike, Like.
    stops = tab_stops(page)
    suggestions = page.locator("[role='log'] button.option").count()
    assert len(first) - 3 == 1 and len(stops) - suggestions == 2, stops
    toolbar = page.get_by_role("toolbar", name="Answer tools").first
    expect(toolbar.get_by_role("button")).to_have_count(4)

    for message in page.locator(f"{USER}, {BOT}").all():
        label = message.get_attribute("aria-label") or ""
        assert label.startswith(("You asked: ", "Answer: ")) and not any(m in label for m in MARKUP), label
    expect(page.locator(USER).first).to_have_attribute("aria-label", "You asked: how do I do the bridge?")

    # Arrow keys move within the toolbar; Tab leaves it.
    toolbar.get_by_role("button", name="Copy").focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Print this exercise")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Like", exact=True)).to_be_focused()


@pytest.mark.parametrize("width", [320, 390, 768, 1440])
def test_targets_are_big_enough_and_never_overlap(page: Page, server: Server, width: int):
    open_chat_at(page, server.url, width)
    ask(page, "how do I do the child's pose?")
    wait_until_first_line_in_view(page)
    # Each control as seen: the part of it inside the conversation's scrolled view (none when scrolled away).
    boxes = page.evaluate("""() => {
        const log = document.querySelector("#conversation [role='log']").getBoundingClientRect();
        return [...document.querySelectorAll('button, a[href], textarea')]
          .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
          .map(e => { const r = e.getBoundingClientRect(), inLog = !!e.closest("[role='log']");
                      const top = inLog ? Math.max(r.top, log.top) : r.top;
                      const bottom = inLog ? Math.min(r.bottom, log.bottom) : r.bottom;
                      return {name: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30),
                              x: r.x, y: top, w: r.width, h: bottom - top, full: r.height,
                              inline: e.tagName === 'A'}; })
          .filter(b => b.h > 0); }""")
    small = [b for b in boxes if not b["inline"] and (b["w"] < 24 or b["full"] < 24)]
    assert small == []
    overlaps = [(a["name"], b["name"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1
                and a["y"] < b["y"] + b["h"] - 1 and b["y"] < a["y"] + a["h"] - 1]
    assert overlaps == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_on_a_touch_screen_the_main_controls_are_44_px(browser: Browser, server: Server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    as_a_person(context)
    page = context.new_page()
    try:
        page.goto(server.url)
        expect(page.locator("button.example").first).to_be_visible()
        assert page.evaluate("matchMedia('(pointer: coarse)').matches")
        page.locator(TEXTBOX).fill("how do I do the child's pose?")
        page.locator(TEXTBOX).press("Enter")
        expect(page.locator(BOT)).to_have_count(1)
        primary = ["Send question", "New chat", "Start 30 s timer", "Copy", "Print this exercise", "Like",
                   "Dislike", "How long do I hold it?"]
        for name in primary:
            box = page.get_by_role("button", name=name, exact=True).first.bounding_box()
            assert box and box["width"] >= 44 and box["height"] >= 44, (name, box)
        screenshot(page, "chat-touch-390")
    finally:
        context.close()
