"""/insights in a real Chromium against a real server with a seeded store: a 401 sign-in page without the token,
charts that load under the page's CSP, CSV downloads equal to the tables shown, axe-clean, readable at 390 px."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import HashingEmbedder
from insights.seeding import NOT_COVERED_QUESTION, Clock, seed
from playwright.sync_api import Browser, Page, expect
from web.serving import PROXIED, Server, start

from assistant import Assistant, Settings
from assistant.insights.store import EventStore
from assistant.web.events import EventRecorder
from browser.pages import PEOPLE, RECORD_CSP_VIOLATIONS, ask, axe_violations, csp_violations, screenshot
from browser.test_chat import is_vote

pytestmark = pytest.mark.browser

TOKEN = "clinic-insights-key-8d2f0b7c1e"
REASON = "Too many steps for my phone"


@pytest.fixture(scope="module")
def insights_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose store already holds a week of replies and votes, with question text kept."""
    workdir = tmp_path_factory.mktemp("insights-server")
    settings = Settings().updated({"index_dir": workdir / "index", "feedback_db": workdir / "feedback.sqlite3",
                                   "feedback_questions": True})
    clock = Clock()
    seed(Assistant.load(settings, embedder=HashingEmbedder()),
         EventRecorder(EventStore.from_settings(settings), settings, clock=clock), clock)
    server = start(workdir, {**PROXIED, "ASSISTANT_ADMIN_TOKEN": TOKEN, "ASSISTANT_FEEDBACK_QUESTIONS": "true"})
    yield server
    server.stop()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    # A clinic's browser of its own (web.serving.PROXIED): the page's rate limit counts per client.
    context.set_extra_http_headers({"X-Forwarded-For": next(PEOPLE)})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in(page: Page, server: Server) -> None:
    response = page.goto(f"{server.url}/insights")
    assert response is not None and response.status == 401
    expect(page.get_by_role("heading", name="Answers per day, by kind")).to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_label("Insights key").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Answers per day, by kind")).to_be_visible()


def shown_table(page: Page, name: str) -> list[list[str]]:
    return page.locator(f"#{name}-table").evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.textContent))")


def test_without_the_token_the_page_is_a_401_that_shows_nothing(phone: Page, insights_server: Server):
    response = phone.goto(f"{insights_server.url}/insights/export/all.csv")
    assert response is not None and response.status == 401 and phone.content().count("Unauthorized") == 1
    response = phone.goto(f"{insights_server.url}/insights")
    assert response is not None and response.status == 401
    phone.get_by_label("Insights key").fill("a guess")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_label("Insights key")).to_be_visible()
    assert "Red-flag" not in phone.content()


def test_charts_render_and_each_csv_matches_its_table(phone: Page, insights_server: Server):
    sign_in(phone, insights_server)
    charts = phone.locator("figure img")
    assert charts.count() >= 6
    for n in range(charts.count()):
        chart = charts.nth(n)
        phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
        assert chart.get_attribute("alt"), "each chart says in words what it shows"
        assert chart.locator("xpath=following-sibling::figcaption").inner_text(), "and what it counts"
    expect(phone.locator("#unanswered_questions-table")).to_contain_text(NOT_COVERED_QUESTION)
    links = phone.locator("section a[href^='/insights/export/']")
    names = [href.split("/")[-1].split(".csv")[0] for href in links.evaluate_all("a => a.map(e => e.href)")]
    assert {"answers_by_day", "red_flags", "least_liked", "unanswered_questions"} <= set(names)
    for name in names:
        with phone.expect_download() as download:
            phone.locator(f"section#{name} a[href^='/insights/export/']").click()
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        shown = shown_table(phone, name) if phone.locator(f"#{name}-table").count() else [rows[0]]
        # The CSV writes a cell a spreadsheet would run as a formula with a leading quote.
        assert [[c.removeprefix("'") for c in row] for row in rows] == shown, name
    assert csp_violations(phone) == []


def test_the_page_reads_at_390_px_and_passes_axe(phone: Page, insights_server: Server):
    sign_in(phone, insights_server)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling of the page"
    for chart in phone.locator("figure img").all():
        box = chart.bounding_box()
        assert box is not None and box["width"] <= 390 - 16 and box["width"] >= 300
    sizes = phone.locator("td, figcaption, label").evaluate_all(
        "es => es.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 15
    wide = phone.locator("#unanswered_questions-table").locator("xpath=..")
    assert wide.get_attribute("tabindex") == "0", "a table wider than the phone scrolls by keyboard too"
    screenshot(phone, "insights-390")
    assert axe_violations(phone) == []
    phone.set_viewport_size({"width": 1280, "height": 900})
    screenshot(phone, "insights-1280")
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Sign out").click()
    expect(phone.get_by_label("Insights key")).to_be_visible()
    assert TOKEN not in insights_server.log.read_text(), "the token is never logged"


def test_a_dislike_can_say_why_and_the_clinic_reads_it(page: Page, insights_server: Server):
    """Where the clinic keeps people's words, a Dislike asks what was wrong (keyboard first: the box takes
    focus, Enter sends, Escape closes); the words reach the store and the insights page."""
    page.goto(insights_server.url)
    ask(page, "how do I do the bridge?")
    tools = page.get_by_role("toolbar", name="Answer tools").last
    with page.expect_response(is_vote):
        tools.get_by_role("button", name="Dislike", exact=True).click()
    why = page.get_by_role("textbox", name="What was wrong with this answer? (optional)")
    expect(why).to_be_focused()
    assert axe_violations(page) == []
    screenshot(page, "dislike-reason-1280")
    why.fill(REASON)
    with page.expect_response(lambda r: r.url.endswith("/gradio_api/run/predict") and REASON in (
            r.request.post_data or "")) as sent:
        why.press("Enter")
    assert sent.value.ok
    expect(page.get_by_role("status").filter(has_text="Thank you: your comment was sent.")).to_have_count(1)
    shown = page.request.get(f"{insights_server.url}/insights/export/dislike_reasons.csv",
                             headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": next(PEOPLE)})
    assert f",Bridge,{REASON}" in shown.text()
    ask(page, "what helps lower back pain?")
    with page.expect_response(is_vote):
        page.get_by_role("toolbar", name="Answer tools").last.get_by_role("button", name="Dislike", exact=True).click()
    expect(why.last).to_be_focused()
    page.keyboard.press("Escape")
    expect(why).to_have_count(0)
    assert csp_violations(page) == []
