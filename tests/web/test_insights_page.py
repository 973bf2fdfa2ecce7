"""/insights over HTTP: off without a token, a bare 401 without the right one, a signed cookie or a Bearer header,
the tables and their CSV, and its own rate limit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import HashingEmbedder
from fastapi.testclient import TestClient
from insights.seeding import Clock, seed

from assistant import Assistant, Settings
from assistant.insights.store import EventStore
from assistant.web import create_app
from assistant.web.events import EventRecorder

TOKEN = "correct-horse-battery-staple-4f9a"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def app_for(tmp: Path, **values: object) -> TestClient:
    settings = Settings().updated({"index_dir": tmp / "index", "feedback_db": tmp / "events.sqlite3", **values})
    return TestClient(create_app(Assistant.load(settings, embedder=HashingEmbedder())))


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("insights")
    settings = Settings().updated({"index_dir": tmp / "index", "feedback_db": tmp / "events.sqlite3"})
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    clock = Clock()
    seed(bot, EventRecorder(EventStore.from_settings(settings), settings, clock=clock), clock)
    return tmp


@pytest.fixture(scope="module")
def client(seeded_db: Path) -> Iterator[TestClient]:
    with app_for(seeded_db, admin_token=TOKEN, rate_limit_insights="1000/minute") as client:
        yield client


def test_the_page_is_off_without_a_token(tmp_path: Path):
    with app_for(tmp_path) as client:
        assert client.get("/insights", headers=BEARER).status_code == 404
        assert client.get("/insights/export/red_flags.csv", headers=BEARER).status_code == 404
        assert client.post("/insights/login", data={"token": ""}).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": f"Bearer {TOKEN}x"}, {"Cookie": "insights=99999999999.abc"}])
def test_anything_but_the_token_is_a_bare_401(client: TestClient, headers: dict[str, str]):
    page = client.get("/insights", headers=headers)
    assert page.status_code == 401
    assert "Sign in" in page.text and "Answers per day" not in page.text
    assert page.text == client.get("/insights").text, "the same page whatever was wrong"
    exported = client.get("/insights/export/red_flags.csv", headers=headers)
    assert (exported.status_code, exported.text) == (401, "Unauthorized")
    assert page.headers["cache-control"] == "no-store"


def test_a_script_reads_the_page_and_the_csv_with_a_bearer_token(client: TestClient, seeded_db: Path):
    page = client.get("/insights", headers=BEARER)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for title in ("Answers per day, by kind", "Red-flag verdicts, by category", "Most asked exercises",
                  "Least liked answers", "What could not be answered, over time"):
        assert title in page.text
    assert "Question text is not kept" in page.text and "Questions that could not be answered" not in page.text
    assert page.text.count('<img src="data:image/svg+xml;base64,') >= 5
    exported = client.get("/insights/export/least_liked.csv", headers=BEARER)
    assert exported.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(exported.text))) == [
        ["answer", "kind", "likes", "dislikes", "votes", "dislike rate (%)"], ["Bridge", "answer", "1", "2", "3", "67"]]
    assert client.get("/insights/export/nothing.csv", headers=BEARER).status_code == 404


def test_the_date_range_is_a_plain_form_and_bounds_the_tables(client: TestClient):
    page = client.get("/insights", params={"since": "2020-01-01", "until": "2020-01-31"}, headers=BEARER)
    assert 'name="since" type="date" value="2020-01-01"' in page.text
    assert "0 replies from 2020-01-01 to 2020-01-31" in page.text
    exported = client.get("/insights/export/answers_by_day.csv", params={"since": "2020-01-01", "until": "2020-01-31"},
                          headers=BEARER)
    assert exported.text == "day,kind,replies\n"
    reversed_range = client.get("/insights", params={"since": "2020-02-01", "until": "2020-01-01"}, headers=BEARER)
    assert "replies from" in reversed_range.text, "a reversed range shows the last 30 days instead"


def test_signing_in_sets_a_strict_http_only_cookie_without_the_token(client: TestClient):
    wrong = client.post("/insights/login", data={"token": "guess"}, follow_redirects=False)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    signed = client.post("/insights/login", data={"token": TOKEN}, follow_redirects=False)
    assert (signed.status_code, signed.headers["location"]) == (303, "/insights")
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/insights" in cookie
    assert "Secure" not in cookie, "over plain http (a test server); over https it is Secure, below"
    assert TOKEN not in cookie
    value = signed.cookies["insights"]
    assert client.get("/insights", headers={"Cookie": f"insights={value}"}).status_code == 200
    out = client.post("/insights/logout", headers={"Cookie": f"insights={value}"}, follow_redirects=False)
    assert out.status_code == 303 and 'insights=""' in out.headers["set-cookie"]


def test_over_https_the_cookie_is_secure(seeded_db: Path):
    with app_for(seeded_db, admin_token=TOKEN) as client:
        client.base_url = client.base_url.copy_with(scheme="https")
        signed = client.post("/insights/login", data={"token": TOKEN}, follow_redirects=False)
    assert "Secure" in signed.headers["set-cookie"]


def test_a_new_token_signs_everyone_out(seeded_db: Path, client: TestClient):
    value = client.post("/insights/login", data={"token": TOKEN}, follow_redirects=False).cookies["insights"]
    with app_for(seeded_db, admin_token="a-new-token-after-a-leak") as changed:
        assert changed.get("/insights", headers={"Cookie": f"insights={value}"}).status_code == 401


def test_the_page_has_its_own_rate_limit(seeded_db: Path):
    with app_for(seeded_db, admin_token=TOKEN, rate_limit_insights="5/minute") as client:
        statuses = [client.get("/insights").status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2


def test_with_question_text_kept_the_questions_are_listed(seeded_db: Path):
    with app_for(seeded_db, admin_token=TOKEN, feedback_questions=True) as client:
        page = client.get("/insights", headers=BEARER).text
    # Seeded without the switch: the text was never stored, so the tables are there and empty.
    assert "Questions that could not be answered" in page and "is it sciatica?" not in page
