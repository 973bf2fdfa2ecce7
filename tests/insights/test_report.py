"""The insights tables from a known history, on SQLite and PostgreSQL, and the CLI that prints the same ones."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings
from assistant.cli import main
from assistant.insights import report
from assistant.insights.store import EventStore
from assistant.web.events import EventRecorder
from insights.seeding import DISLIKE_REASON, NOT_COVERED_QUESTION, Clock, seed


def seeded(bot: Assistant, settings: Settings) -> tuple[EventStore, report.Period]:
    clock = Clock()
    events = EventRecorder(EventStore.from_settings(settings), settings, clock=clock)
    seed(bot, events, clock)
    assert events.store is not None
    today = datetime.fromtimestamp(clock.now, UTC).date()
    return events.store, report.Period.ending(today, days=7)


@pytest.fixture
def settings(fake_settings: Settings, database: dict[str, Any]) -> Settings:
    return fake_settings.updated({**database, "feedback_questions": True})


def by_name(found: list[report.Table]) -> dict[str, list[tuple[Any, ...]]]:
    return {t.name: t.rows for t in found}


def test_the_tables_count_what_happened(fake_bot: Assistant, settings: Settings):
    store, period = seeded(fake_bot, settings)
    days = [(period.until - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    tables = by_name(report.tables(store, period, with_text=True))
    assert tables["answers_by_day"] == [
        (days[0], "answer", 3),
        (days[1], "answer", 2), (days[1], "emergency", 1), (days[1], "urgent", 1),
        (days[2], "answer", 2), (days[2], "out_of_scope", 2)]
    assert tables["red_flags"] == [("cauda_equina", "emergency", 1), ("infection", "urgent", 1)]
    assert tables["asked_exercises"] == [("Bridge", 5), ("Child's Pose", 1)]
    assert tables["asked_sections"] == [("Exercises For Strengthening Lower Back", 5),
                                        ("Exercises For Relieving Lower Back Pain", 2)]
    # Two dislikes and a like of the Bridge; the other liked answers have no dislike to rank.
    assert tables["least_liked"] == [("Bridge", "answer", 1, 2, 3, 67)]
    assert tables["unanswered_by_day"] == [(days[2], "diagnosis", 1), (days[2], "off_topic", 1),
                                           (days[2], report.NOT_COVERED_REASON, 1)]
    assert tables["not_covered_topics"] == [("Bridge", 1)]
    assert sorted(q for *_, q in tables["unanswered_questions"]) == [
        NOT_COVERED_QUESTION, "how do I bake bread?", "is it sciatica?"]
    assert tables["dislike_reasons"] == [(days[0], "Bridge", DISLIKE_REASON)]


def test_without_question_text_there_are_no_tables_of_words(fake_bot: Assistant, settings: Settings):
    store, period = seeded(fake_bot, settings.updated({"feedback_questions": False}))
    found = report.tables(store, period, with_text=False)
    assert "unanswered_questions" not in by_name(found) and "dislike_reasons" not in by_name(found)
    assert by_name(found)["not_covered_topics"] == [("Bridge", 1)]


def test_the_date_range_bounds_every_table(fake_bot: Assistant, settings: Settings):
    store, period = seeded(fake_bot, settings)
    yesterday = report.Period(period.until - timedelta(days=1), period.until - timedelta(days=1))
    tables = by_name(report.tables(store, yesterday, with_text=True))
    assert [kind for _, kind, _ in tables["answers_by_day"]] == ["answer", "emergency", "urgent"]
    assert tables["least_liked"] == [] and tables["unanswered_by_day"] == []


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(fake_bot: Assistant, settings: Settings):
    store, period = seeded(fake_bot, settings)
    [questions] = [t for t in report.tables(store, period, with_text=True) if t.name == "unanswered_questions"]
    out = io.StringIO()
    report.write_csv(questions, out)
    cells = [row[-1] for row in csv.reader(io.StringIO(out.getvalue()))]
    assert "'" + NOT_COVERED_QUESTION in cells and NOT_COVERED_QUESTION not in cells


def test_the_cli_writes_the_same_tables_as_the_page(fake_bot: Assistant, settings: Settings, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture):
    store, period = seeded(fake_bot, settings)
    config = tmp_path / "clinic.toml"
    values = {k: str(v) for k, v in settings.__dict__.items() if k in ("feedback_db", "database_url")}
    config.write_text("".join(f'{k} = "{v}"\n' for k, v in values.items()) + "feedback_questions = true\n")
    out = tmp_path / "out.csv"
    assert main(["--config", str(config), "insights", "--since", str(period.since), "--until", str(period.until),
                 "--csv", str(out)]) == 0
    expected = io.StringIO()
    report.write_all_csv(report.tables(store, period, with_text=True), expected)
    assert out.read_text(encoding="utf-8") == expected.getvalue()
    assert main(["--config", str(config), "insights", "--since", str(period.since), "--table", "red_flags"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Red-flag verdicts, by category\ncategory") and "cauda_equina" in printed
    assert main(["--config", str(config), "insights", "--since", str(period.until), "--until", str(period.since)]) == 2


def test_the_cli_says_when_nothing_was_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture):
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(tmp_path / "none.sqlite3"))
    assert main(["insights", "--since", "2026-01-01"]) == 2
    assert "no events recorded yet" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()


def test_a_reloaded_tabs_answers_are_not_counted_as_asked_again_but_their_votes_count(fake_bot: Assistant,
                                                                                     settings: Settings):
    clock = Clock()
    events = EventRecorder(EventStore.from_settings(settings), settings, clock=clock)
    answer = fake_bot.ask("how do I do the bridge?")
    events.issue(answer, "s1", "how do I do the bridge?")
    again = events.issue(answer, "s2", "how do I do the bridge?", replayed=True)
    events.vote(again, "s2", "dislike")
    events.start()
    events.stop()
    assert events.store is not None
    period = report.Period.ending(datetime.fromtimestamp(clock.now, UTC).date(), days=1)
    tables = by_name(report.tables(events.store, period, with_text=True))
    assert [row[1:] for row in tables["answers_by_day"]] == [("answer", 1)]
    assert tables["asked_exercises"] == [("Bridge", 1)]
    assert tables["least_liked"] == [("Bridge", "answer", 0, 1, 1, 100)]
