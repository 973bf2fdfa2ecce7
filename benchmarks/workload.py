"""The questions a benchmark asks: the labelled ones, and an endless stream of never-seen variants."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def labelled_questions(limit: int | None = None) -> list[str]:
    """The single questions of tests/data, typed as real users type them."""
    items = json.loads((DATA / "questions.json").read_text(encoding="utf-8"))
    return [item["q"] for item in items][:limit]


def unique_questions(questions: list[str]) -> Iterator[str]:
    """The questions again and again, each time with a new number, so the query cache never answers.

    Every request then pays for encoding, as a stream of new users' questions does.
    """
    for number in itertools.count(1):
        yield f"{questions[number % len(questions)]} {number}"
