"""Scope figures: blind writers' sets (what the article answers, does not answer, refuses, small talk) and
real questions people asked, through `ask()` as a user meets them.

Blind sets live in `<data>/blind/*.json` (the layout of the writers' brief: in_scope, not_covered,
out_of_scope, small_talk, conversations); real questions in `<data>/real/`: the untouched half of the
MEDIQA 2019 consumer questions (Ben Abacha, Shivade & Demner-Fushman, ACL-BioNLP 2019) and a sample of
MedQuAD question forms (Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019, CC BY 4.0), split by
`assistant.real_questions`. A folder without them reports none of these figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answerability import says_not_covered
from assistant.assistant import SMALL_TALK, Assistant
from assistant.records import Answer

# In the order `python -m assistant eval` prints them; "answered" figures are rates of wrong answers.
SCOPE_FIGURES = ("blind_on_target", "blind_in_scope_answered", "blind_in_scope_said_not_covered",
                 "blind_not_covered_honest",
                 "blind_out_of_scope_refused", "blind_small_talk", "blind_conversation_turns",
                 "real_consumer_answered", "medquad_answered")

def _on_target(answer: Answer, expected: list[str]) -> bool:
    return answer.kind == "answer" and bool(answer.sources) and answer.sources[0].chunk_id in expected


def _honest(answer: Answer) -> bool:
    """The reply tells the reader first that the article does not say (a special-group caution counts)."""
    return answer.kind == "answer" and says_not_covered(answer.text)


def _small_talk(answer: Answer) -> bool:
    return answer.kind == "answer" and not answer.sources and answer.category == SMALL_TALK


def _rate(items: list[Any], ok: Callable[[Any], bool], failures: list[Any], show: Callable[[Any], Any]) -> float | None:
    if not items:
        return None
    passed = 0
    for item in items:
        if ok(item):
            passed += 1
        else:
            failures.append(show(item))
    return passed / len(items)


def _conversation_turns(bot: Assistant, sets: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Answer]]:
    """Every turn after the first of every conversation, with the reply it got in context."""
    answered = []
    for blind in sets:
        for convo in blind.get("conversations", []):
            history: list[dict[str, str]] = []
            for number, turn in enumerate(convo["turns"]):
                answer = bot.ask(turn["q"], history=history)
                if number:
                    answered.append((turn, answer))
                history += [{"role": "user", "content": turn["q"]}, {"role": "assistant", "content": answer.text}]
    return answered


def blind_figures(bot: Assistant, folder: Path, failures: dict[str, list[Any]]) -> dict[str, float]:
    """On-target, honesty, refusal and small-talk rates over every blind set in `folder`."""
    # The folder also holds red-flag sets (lists of messages, read by evaluate.red_flag_sets).
    sets = [blind for blind in (json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json")))
            if isinstance(blind, dict)]
    if not sets:
        return {}

    def items(key: str) -> list[dict[str, Any]]:
        return [item for blind in sets for item in blind.get(key, [])]

    def shown(item: dict[str, Any], answer: Answer) -> list[Any]:
        return [item["q"], answer.kind, [s.chunk_id for s in answer.sources[:1]], answer.text[:70]]

    replies = {item["q"]: bot.ask(item["q"]) for key in ("in_scope", "not_covered", "out_of_scope", "small_talk")
               for item in items(key)}
    turns = _conversation_turns(bot, sets)
    figures = {
        "blind_on_target": _rate(items("in_scope"), lambda i: _on_target(replies[i["q"]], i["expect"]),
                                 failures.setdefault("blind_on_target", []),
                                 lambda i: [*shown(i, replies[i["q"]]), i["expect"]]),
        "blind_in_scope_answered": _rate(items("in_scope"), lambda i: replies[i["q"]].kind == "answer",
                                         [], lambda i: i),
        # Honesty the other way: an answer the article gives must not open with "the article doesn't say".
        "blind_in_scope_said_not_covered": _rate(items("in_scope"), lambda i: says_not_covered(replies[i["q"]].text),
                                                 [], lambda i: i),
        "blind_not_covered_honest": _rate(items("not_covered"), lambda i: _honest(replies[i["q"]]),
                                          failures.setdefault("blind_not_covered", []),
                                          lambda i: [*shown(i, replies[i["q"]]), i["need"]]),
        "blind_out_of_scope_refused": _rate(items("out_of_scope"), lambda i: replies[i["q"]].kind != "answer",
                                            failures.setdefault("blind_out_of_scope", []),
                                            lambda i: [*shown(i, replies[i["q"]]), i["kind"]]),
        "blind_small_talk": _rate(items("small_talk"), lambda i: _small_talk(replies[i["q"]]),
                                  failures.setdefault("blind_small_talk", []), lambda i: shown(i, replies[i["q"]])),
        "blind_conversation_turns": _rate(
            turns, lambda t: _on_target(t[1], t[0]["expect"]) if "expect" in t[0] else _honest(t[1]),
            failures.setdefault("blind_conversation", []),
            lambda t: [*shown(t[0], t[1]), t[0].get("expect") or t[0]["not_covered"]]),
    }
    return {name: value for name, value in figures.items() if value is not None}


def real_figures(bot: Assistant, folder: Path, failures: dict[str, list[Any]]) -> dict[str, float]:
    """How often real health questions the article does not answer get an exercise answer (lower is better)."""
    figures: dict[str, float] = {}
    for name, file in (("real_consumer_answered", "consumer-test.json"), ("medquad_answered", "medquad-test.json")):
        path = folder / file
        if not path.exists():
            continue
        questions = [q for q in json.loads(path.read_text(encoding="utf-8")) if not q.get("article_answers")]
        answered = [q["text"] for q in questions if bot.ask(q["text"]).kind == "answer"]
        failures.setdefault(name, []).extend(text[:120] for text in answered)
        figures[name] = len(answered) / max(len(questions), 1)
    return figures


def scope_figures(bot: Assistant, data: Path, failures: dict[str, list[Any]]) -> dict[str, float]:
    """Every scope figure the data folder has sets for."""
    return {**blind_figures(bot, data / "blind", failures), **real_figures(bot, data / "real", failures)}
