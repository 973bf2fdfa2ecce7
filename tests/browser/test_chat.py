"""The chat page in a real headless Chromium: answers, examples, follow-ups, safety banners, likes, a11y."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, Response, expect
from web.serving import Server

from assistant.web.votes import reply_id_in
from browser.pages import BOT, TEXTBOX, USER, ask, axe_violations, csp_violations, screenshot, wait_for_chat

pytestmark = pytest.mark.browser

RELIEF = ("Child's Pose", "Knee-to-Chest Stretch", "Cat-Cow Stretch", "Piriformis Stretch")
FOOTER_START = "This is general exercise information"


def is_vote(response: Response) -> bool:
    """The like event's own call: the chat fires other unqueued events to the same URL after each reply."""
    body = response.request.post_data or ""
    return response.url.endswith("/gradio_api/run/predict") and '"liked"' in body


def toolbar(page: Page) -> Locator:
    """The latest reply's tools (Copy, Print, Dislike, Like), which chat.js gathers into one toolbar."""
    return page.get_by_role("toolbar", name="Answer tools").last


def open_chat(page: Page, server: Server) -> None:
    page.goto(server.url)
    wait_for_chat(page)


def test_lower_back_pain_shows_the_relief_stretches_source_footer_and_follow_ups(page: Page, server: Server):
    open_chat(page, server)
    reply = ask(page, "what helps lower back pain?")
    for name in RELIEF:
        expect(reply).to_contain_text(name)
    expect(reply).to_contain_text("Source: Exercises For Relieving Lower Back Pain")
    footer = reply.locator(".reply hr:last-of-type ~ p")
    expect(footer).to_contain_text(FOOTER_START)
    font_size = "e => parseFloat(getComputedStyle(e).fontSize)"
    body_size, footer_size = reply.locator(".reply p").first.evaluate(font_size), footer.evaluate(font_size)
    assert footer_size < body_size, "the footer is set apart from the answer"
    expect(page.get_by_role("button", name="How do I do the Child's Pose?")).to_be_visible()
    # The conversation is a polite live region, so screen readers announce each new reply.
    log = page.locator("[role='log']")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_contain_text("Piriformis Stretch")


def test_an_example_question_asks_it(page: Page, server: Server):
    open_chat(page, server)
    examples = page.locator("button.example")
    assert 4 <= examples.count() <= 6
    page.get_by_role("button", name="How do I do the bridge?").click()
    expect(page.locator(USER).last).to_contain_text("How do I do the bridge?")
    expect(page.locator(BOT).last).to_contain_text("Lie on your back with your knees bent")


def test_a_typed_follow_up_after_the_bridge(page: Page, server: Server):
    open_chat(page, server)
    expect(ask(page, "how do I do the bridge?")).to_contain_text("Bridge (strengthening exercise)")
    reply = ask(page, "how long do I hold it?")
    expect(reply).to_contain_text("Hold this position for a few seconds")
    expect(reply).not_to_contain_text("Lie on your back")


def test_a_suggestion_button_asks_the_follow_up(page: Page, server: Server):
    open_chat(page, server)
    ask(page, "how do I do the bridge?")
    suggestions = page.get_by_role("button", name="What muscles does it work?")
    suggestions.click()
    expect(page.locator(BOT)).to_have_count(2)
    expect(page.locator(BOT).last).to_contain_text("glutes, and hamstrings")


@pytest.mark.parametrize(("message", "kind", "heading"), [
    ("I can't feel anything when I wipe and I've wet myself", "emergency", "Get help now"),
    ("I have back pain and a fever and feel really unwell", "urgent", "See a doctor today"),
])
def test_a_red_flag_is_a_banner_without_exercises(page: Page, server: Server, message: str, kind: str,
                                                  heading: str):
    open_chat(page, server)
    reply = ask(page, message)
    banner = reply.locator(f".reply-{kind}")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("heading", name=heading)).to_be_visible()
    expect(banner).to_contain_text("Do not do the exercises")
    expect(banner).not_to_contain_text("Steps")
    expect(banner).to_contain_text(FOOTER_START)
    edge = banner.evaluate("e => [getComputedStyle(e).borderLeftWidth, getComputedStyle(e).backgroundColor]")
    assert edge[0] == "8px" and edge[1] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    assert page.get_by_role("button", name="How long do I hold it?").count() == 0


@pytest.mark.parametrize("payload", ['<img src=x onerror="window.__pwned = 1">',
                                     '<script>window.__pwned = 1</script>',
                                     "I can't feel it when I wipe <img src=x onerror='window.__pwned = 1'>"])
def test_markup_typed_as_a_question_never_runs(page: Page, server: Server, payload: str):
    open_chat(page, server)
    reply = ask(page, payload)
    expect(reply).to_contain_text(FOOTER_START)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("[role='log'] img[onerror], [role='log'] script").count() == 0


def test_chatting_breaks_no_content_security_policy(page: Page, server: Server):
    """Every action of the chat under the server's CSP (nonce scripts, chat.js inlined by the page's head,
    images only from itself): an example with its picture, a follow-up, a red flag, copy, a timer, a vote,
    a reload that answers the conversation again, New chat. The browser reports no violation, logs no error."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    open_chat(page, server)
    page.get_by_role("button", name="How do I do the bridge?").click()
    picture = page.locator(BOT).last.locator("img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    toolbar(page).get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Answer copied.")).to_have_count(1)
    page.get_by_role("button", name="What muscles does it work?").click()
    expect(page.locator(BOT)).to_have_count(2)
    ask(page, "how long should I hold the child's pose?")
    page.get_by_role("button", name="Start 30 s timer").click()
    ask(page, "I can't feel anything when I wipe and I've wet myself")
    with page.expect_response(is_vote):
        toolbar(page).get_by_role("button", name="Like", exact=True).click()
    page.reload()
    expect(page.locator(BOT)).to_have_count(4)
    expect(page.locator(BOT).last).to_contain_text("Get help now")
    page.get_by_role("button", name="New chat").click()
    page.get_by_role("dialog").get_by_role("button", name="Clear and start again").click()
    expect(page.locator(BOT)).to_have_count(0)
    assert csp_violations(page) == []
    assert errors == []


def test_a_users_own_image_html_and_latex_show_as_typed_text(page: Page, server: Server):
    """Finding 9: a user's Markdown image or <img> would load a remote image in their bubble, and $$ would
    render as LaTeX. They show as the characters typed, and nothing is fetched."""
    remote: list[str] = []
    page.on("request", lambda request: remote.append(request.url) if "198.51.100" in request.url else None)
    open_chat(page, server)
    typed = "![x](http://198.51.100.9/t.png) <img src=http://198.51.100.9/u.png> $$x^2$$ *not bold*"
    reply = ask(page, typed)
    bubble = page.locator(USER).last
    expect(bubble).to_have_text(typed)
    assert bubble.locator("img, em, .katex").count() == 0
    expect(reply).to_contain_text(FOOTER_START)
    follow_up = ask(page, "numb when I wipe and wet myself $$x^2$$")
    expect(follow_up.locator(".reply-emergency")).to_be_visible()
    assert page.locator("[role='log'] .katex").count() == 0
    assert remote == []


def test_like_and_dislike_are_stored_without_the_question(page: Page, server: Server):
    """The reply's toolbar drives the vote: it carries the reply's server-issued id, and the row holds the
    server's own kind and chunks for it, without the question."""
    before = len(server.votes())
    open_chat(page, server)
    ask(page, "how do I do the bridge?")
    with page.expect_response(is_vote) as vote:
        toolbar(page).get_by_role("button", name="Like", exact=True).click()
    assert reply_id_in(vote.value.request.post_data_json["event_data"]["value"])
    ask(page, "I can't feel anything when I wipe and I've wet myself")
    with page.expect_response(is_vote):
        toolbar(page).get_by_role("button", name="Dislike", exact=True).click()
    # The clinic keeps no words by default, so the page does not ask for any.
    expect(page.get_by_role("textbox", name="What was wrong with this answer? (optional)")).to_have_count(0)
    rows = server.votes()[before:]
    assert [(r["vote"], r["kind"]) for r in rows] == [("like", "answer"), ("dislike", "emergency")]
    assert "bridge" in rows[0]["chunk_ids"] and rows[0]["question"] is None
    assert all(r["reply_id"] for r in rows)


def test_a_reply_brought_back_by_a_reload_is_voted_on_once(page: Page, server: Server):
    """A reload answers the saved questions again, each reply with a new id: its Like is stored, changes
    of mind keep one row for that reply, holding the last vote, and clicking the chosen vote again (Gradio
    shows it as "Liked") takes it back without a warning."""
    before = len(server.votes())
    open_chat(page, server)
    ask(page, "how do I do the bridge?")
    ask(page, "how long do I hold it?")
    page.reload()
    expect(page.locator(BOT)).to_have_count(2)
    expect(page.locator(USER).first).to_have_text("how do I do the bridge?")
    tools = toolbar(page)
    for name in ("Like", "Dislike", "Like"):
        with page.expect_response(is_vote) as vote:
            tools.get_by_role("button", name=name, exact=True).click()
        assert vote.value.ok
    rows = server.votes()[before:]
    assert [(r["vote"], r["kind"]) for r in rows] == [("like", "answer")]
    assert "bridge" in rows[0]["chunk_ids"]
    with page.expect_response(is_vote):
        tools.get_by_role("button", name="Liked", exact=True).click()
    expect(tools.get_by_role("button", name="Like", exact=True)).to_be_visible()
    assert server.votes()[before:] == []
    expect(page.locator("[data-testid='toast-body']")).to_have_count(0)


def test_keyboard_alone_asks_and_follows_up(page: Page, server: Server):
    open_chat(page, server)
    for _ in range(30):
        if page.evaluate("document.activeElement.matches(\"textarea[data-testid='textbox']\")"):
            break
        page.keyboard.press("Tab")
    expect(page.locator(TEXTBOX)).to_be_focused()
    page.keyboard.type("how do I do the bridge?")
    page.keyboard.press("Enter")
    expect(page.locator(BOT)).to_have_count(1)
    suggestion = page.get_by_role("button", name="How long do I hold it?")
    for _ in range(40):
        if suggestion.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Shift+Tab")
    expect(suggestion).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(BOT)).to_have_count(2)
    expect(page.locator(BOT).last).to_contain_text("Hold this position for a few seconds")


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_chat_passes_axe_and_reads_at_phone_width(page: Page, server: Server, width: int):
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    open_chat(page, server)
    assert axe_violations(page) == []
    ask(page, "what helps lower back pain?")
    expect(page.get_by_role("button", name="How do I do the Child's Pose?")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"chat-answer-{width}")
    ask(page, "I can't feel anything when I wipe and I've wet myself")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    screenshot(page, f"chat-emergency-{width}")
