"""The clinic's tables, read from the event store for a range of days: one code path for /insights and the CLI.

Every table says what it counts (`explains`), so the page, the CSV and the terminal show the same numbers
with the same words. Counts are of replies; a vote belongs to the reply it was given on, and so to that
reply's day. A reloaded tab's answers, given again, are not counted as asked again (their votes count).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, TextIO

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from assistant.assistant import NOT_COVERED
from assistant.insights.schema import replies
from assistant.insights.store import EventStore

NOT_COVERED_REASON = "the article doesn't say"
RED_FLAG_KINDS = ("emergency", "urgent")
# Lists of "most asked" stop here: the long tail is in the CSV of the replies per day, not in a chart.
TOP = 15
# Questions listed per page or CSV; the newest first.
MAX_QUESTIONS = 500
# The default range: the last 30 days, today included.
DEFAULT_DAYS = 30

Chart = Literal["stacked", "bars"]


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @classmethod
    def ending(cls, until: date, days: int = DEFAULT_DAYS) -> Period:
        return cls(until - timedelta(days=days - 1), until)

    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]


@dataclass(frozen=True)
class Table:
    """One table as the page, the CSV and the terminal show it; `chart` says how the page draws it (the
    first column is the x axis or the bar's label, a "stacked" chart's second column the stack)."""

    name: str
    title: str
    explains: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    chart: Chart | None = None


def topic() -> Any:
    """What a reply was about, in the clinic's words: its exercise, else its section, else its category."""
    return func.coalesce(replies.c.exercise, replies.c.section, replies.c.category, replies.c.kind)


def tables(store: EventStore, period: Period, with_text: bool) -> list[Table]:
    """Every table for `period`; the two that hold people's words only where the clinic keeps them."""
    with store.engine.connect() as connection:
        found = [
            _answers_by_day(connection, period),
            _red_flags(connection, period),
            _most_asked(connection, period, replies.c.exercise, "asked_exercises", "Most asked exercises",
                        "Answers that showed one exercise (its card, steps, hold or muscles), by exercise."),
            _most_asked(connection, period, replies.c.section, "asked_sections", "Most asked sections",
                        "Answers by the section of the article they came from (the first source of each)."),
            _least_liked(connection, period),
            _unanswered_by_day(connection, period),
            _not_covered(connection, period),
        ]
        if with_text:
            found += [_unanswered_questions(connection, period), _dislike_reasons(connection, period)]
    return found


def _in(period: Period) -> Any:
    """Replies of the period as asked: an answer given again to a reloaded tab is not asked again."""
    return and_(replies.c.day.between(period.since, period.until), replies.c.replayed.is_(False))


def _voted_in(period: Period) -> Any:
    """Replies of the period that got a vote or a comment, the answers given again to a reloaded tab too."""
    return replies.c.day.between(period.since, period.until)


def _answers_by_day(connection: Connection, period: Period) -> Table:
    count = func.count().label("replies")
    query = (select(replies.c.day, replies.c.kind, count).where(_in(period))
             .group_by(replies.c.day, replies.c.kind).order_by(replies.c.day, replies.c.kind))
    return Table("answers_by_day", "Answers per day, by kind",
                 "Every reply the assistant gave on each day (chat, widget and API), by kind: an answer from the "
                 "article, emergency or urgent advice for a red flag, out of scope, or unreadable input.",
                 ("day", "kind", "replies"), _rows(connection, query), "stacked")


def _red_flags(connection: Connection, period: Period) -> Table:
    count = func.count().label("replies")
    query = (select(replies.c.category, replies.c.kind, count)
             .where(_in(period), replies.c.kind.in_(RED_FLAG_KINDS))
             .group_by(replies.c.category, replies.c.kind).order_by(count.desc(), replies.c.category))
    return Table("red_flags", "Red-flag verdicts, by category",
                 "Replies that sent someone to emergency care or to a doctor the same day instead of exercises, "
                 "by the warning sign found. Later messages of a flagged conversation count again.",
                 ("category", "kind", "replies"), _rows(connection, query), "bars")


def _most_asked(connection: Connection, period: Period, column: Any, name: str, title: str,
                explains: str) -> Table:
    count = func.count().label("answers")
    query = (select(column, count).where(_in(period), replies.c.kind == "answer", column.is_not(None))
             .group_by(column).order_by(count.desc(), column).limit(TOP))
    return Table(name, title, explains, (column.name, "answers"), _rows(connection, query), "bars")


def _least_liked(connection: Connection, period: Period) -> Table:
    about = topic().label("answer")
    likes = func.sum(case((replies.c.vote == "like", 1), else_=0))
    dislikes = func.sum(case((replies.c.vote == "dislike", 1), else_=0))
    query = (select(about, replies.c.kind, likes, dislikes).where(_voted_in(period), replies.c.vote.is_not(None))
             .group_by(about, replies.c.kind))
    rated = []
    for answer, kind, liked, disliked in connection.execute(query):
        votes = int(liked) + int(disliked)
        if disliked:
            rated.append((answer, kind, int(liked), int(disliked), votes, round(100 * int(disliked) / votes)))
    rated.sort(key=lambda r: (-r[5], -r[3], r[0]))
    return Table("least_liked", "Least liked answers",
                 "Answers people disliked, by what they were about: the share of votes that were dislikes, "
                 "with the counts (a share from a few votes says little).",
                 ("answer", "kind", "likes", "dislikes", "votes", "dislike rate (%)"), rated[:TOP], "bars")


def _unanswered_reason() -> Any:
    return case((replies.c.kind == "out_of_scope", func.coalesce(replies.c.category, "out of scope")),
                else_=literal(NOT_COVERED_REASON))


def _unanswered() -> Any:
    return or_(replies.c.kind == "out_of_scope", and_(replies.c.kind == "answer", replies.c.category == NOT_COVERED))


def _unanswered_by_day(connection: Connection, period: Period) -> Table:
    reason = _unanswered_reason().label("reason")
    count = func.count().label("replies")
    query = (select(replies.c.day, reason, count).where(_in(period), _unanswered())
             .group_by(replies.c.day, reason).order_by(replies.c.day, reason))
    return Table("unanswered_by_day", "What could not be answered, over time",
                 "Questions the assistant did not answer from the article, by day and reason: out of scope "
                 "(a diagnosis, a medicine, a scan, another body part, another topic, another language) or "
                 f"\u201c{NOT_COVERED_REASON}\u201d (in scope, but the article has no answer).",
                 ("day", "reason", "replies"), _rows(connection, query), "stacked")


def _not_covered(connection: Connection, period: Period) -> Table:
    about = func.coalesce(replies.c.exercise, replies.c.section, literal("(no topic)")).label("closest topic")
    count = func.count().label("replies")
    query = (select(about, count).where(_in(period), replies.c.kind == "answer", replies.c.category == NOT_COVERED)
             .group_by(about).order_by(count.desc(), about).limit(TOP))
    return Table("not_covered_topics", "What the article doesn't say, by topic",
                 "In-scope questions the article has no answer to, by the exercise or section closest to them: "
                 "where a handout added to the corpus would help most.",
                 ("closest topic", "replies"), _rows(connection, query), "bars")


def _unanswered_questions(connection: Connection, period: Period) -> Table:
    query = (select(replies.c.day, _unanswered_reason().label("reason"), topic().label("topic"), replies.c.question)
             .where(_in(period), _unanswered(), replies.c.question.is_not(None))
             .order_by(replies.c.day.desc(), replies.c.reply_id).limit(MAX_QUESTIONS))
    return Table("unanswered_questions", "Questions that could not be answered",
                 f"The words of the newest {MAX_QUESTIONS} questions not answered from the article (kept because "
                 "feedback_questions is on), with the reason.",
                 ("day", "reason", "topic", "question"), _rows(connection, query))


def _dislike_reasons(connection: Connection, period: Period) -> Table:
    query = (select(replies.c.day, topic().label("answer"), replies.c.vote_reason.label("reason"))
             .where(_voted_in(period), replies.c.vote_reason.is_not(None))
             .order_by(replies.c.day.desc(), replies.c.reply_id).limit(MAX_QUESTIONS))
    return Table("dislike_reasons", "What people said when they disliked an answer",
                 "The optional words given with a dislike (kept because feedback_questions is on), newest first.",
                 ("day", "answer", "reason"), _rows(connection, query))


def _rows(connection: Connection, query: Any) -> list[tuple[Any, ...]]:
    return [tuple(_plain(v) for v in row) for row in connection.execute(query)]


def _plain(value: Any) -> Any:
    """Dates as ISO text and whole numbers as int, the same from SQLite and PostgreSQL."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# ---- Text out: CSV for a spreadsheet, and the terminal ----------------------------------------------------
# A cell a spreadsheet would run as a formula (question text is typed by the public) is prefixed with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as every output shows it."""
    return "" if value is None else str(value)


def _safe(value: Any) -> str:
    text = cell(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def write_csv(table: Table, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_safe(v) for v in row] for row in table.rows)


def write_all_csv(found: Sequence[Table], out: TextIO) -> None:
    """Every table in one file: each row starts with its table's name, each table with its own header row."""
    writer = csv.writer(out, lineterminator="\n")
    for table in found:
        writer.writerow(("table", *table.columns))
        writer.writerows((table.name, *(_safe(v) for v in row)) for row in table.rows)


def as_text(table: Table) -> str:
    """A table for the terminal: aligned columns under its title."""
    shown = [table.columns, *[tuple(cell(v) for v in row) for row in table.rows]]
    widths = [max(len(str(r[i])) for r in shown) for i in range(len(table.columns))]
    lines = [table.title, *["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                            for row in shown]]
    if not table.rows:
        lines.append("(none in this period)")
    return "\n".join(lines)
