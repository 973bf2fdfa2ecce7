"""The charts are SVG drawn on the server: words as text (so they scale), every day of the period, no script."""

from __future__ import annotations

import re
from datetime import date

from assistant.insights import charts
from assistant.insights.report import Period, Table

WEEK = Period(date(2026, 11, 24), date(2026, 11, 30))


def test_a_stacked_chart_has_a_bar_slot_for_every_day_and_a_legend_of_its_stacks():
    table = Table("answers_by_day", "Answers", "", ("day", "kind", "replies"),
                  [("2026-11-24", "answer", 3), ("2026-11-30", "answer", 2), ("2026-11-30", "emergency", 1)],
                  "stacked")
    drawn = charts.svg(table, WEEK)
    assert drawn is not None and drawn.lstrip().startswith("<?xml") and "<svg" in drawn
    assert "<script" not in drawn and re.findall(r'href="([^#"][^"]*)"', drawn) == [], "nothing loaded from elsewhere"
    assert ">answer<" in drawn and ">emergency<" in drawn, "the legend's words are text, not outlines"
    assert drawn.count('<g id="patch_') >= 7 * 2, "one bar per day and kind, empty days included"
    assert charts.describe(table) == "Stacked bar chart, one bar per day. Totals for the period: answer 5, emergency 1."


def test_bars_are_labelled_above_and_long_labels_are_cut():
    long_name = "Frequently Asked Questions › How Can I Strengthen My Lower Back?"
    table = Table("asked_sections", "Sections", "", ("section", "answers"), [(long_name, 4), ("Bridge", 2)], "bars")
    drawn = charts.svg(table, WEEK)
    assert drawn is not None and ">Bridge<" in drawn and long_name[:30] in drawn and long_name not in drawn
    assert charts.describe(table).startswith("Bar chart of answers. Largest: Frequently Asked Questions")


def test_an_empty_table_has_no_chart():
    assert charts.svg(Table("red_flags", "Red flags", "", ("category", "kind", "replies"), [], "bars"), WEEK) is None
