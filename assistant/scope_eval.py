"""Scope figures: blind writers' sets (what the article answers, does not answer, refuses, small talk) and
real questions people asked, through `ask()` as a user meets them.

Blind sets live in `<data>/blind/*.json` and `<data>/blind/scope-train/*.json` (the layout of the writers'
brief, `blind/SCOPE-BRIEF.md`: in_scope, not_covered, out_of_scope, small_talk, conversations); real
questions in `<data>/real/`: the untouched half of the MEDIQA 2019 consumer questions (Ben Abacha, Shivade &
Demner-Fushman, ACL-BioNLP 2019) and a sample of MedQuAD question forms (Ben Abacha & Demner-Fushman, BMC
Bioinformatics 2019, CC BY 4.0), split by `assistant.real_questions`. A folder without them reports none of
these figures.

The served models are trained on every writer here, so their figures on these sets are in-sample: they
guard against regressions. `out_of_writer_figures` retrains the learned scope models once per writer,
without that writer (thresholds chosen on the other writers alone), and scores the writer with them: the
figures an unseen writer's questions can expect (`python -m assistant.scope_eval` prints them).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answerability import says_not_covered
from assistant.assistant import SMALL_TALK, Assistant
from assistant.records import Answer
from assistant.scope_writers import TURN_LABELS, turn_label

# In the order `python -m assistant eval` prints them; "answered" figures are rates of wrong answers.
SCOPE_FIGURES = ("blind_on_target", "blind_in_scope_answered", "blind_in_scope_said_not_covered",
                 "blind_not_covered_honest",
                 "blind_out_of_scope_refused", "blind_small_talk", "blind_conversation_turns",
                 "real_consumer_answered", "medquad_answered")
# Per writer, the same figures without the prefix.
WRITER_FIGURES = tuple(name.removeprefix("blind_") for name in SCOPE_FIGURES if name.startswith("blind_"))
SCOPE_SETS = ("*.json", "scope-train/*.json")

Counts = dict[str, list[int]]


def _on_target(answer: Answer, expected: list[str]) -> bool:
    return answer.kind == "answer" and bool(answer.sources) and answer.sources[0].chunk_id in expected


def _honest(answer: Answer) -> bool:
    """The reply tells the reader first that the article does not say (a special-group caution counts)."""
    return answer.kind == "answer" and says_not_covered(answer.text)


def _small_talk(answer: Answer) -> bool:
    return answer.kind == "answer" and not answer.sources and answer.category == SMALL_TALK


def _turn_ok(turn: dict[str, Any], answer: Answer) -> bool:
    """A conversation's turn is judged as a question of its label asked alone would be."""
    label = turn_label(turn)
    if label == "in_scope":
        return _on_target(answer, turn["expect"])
    if label == "not_covered":
        return _honest(answer)
    return answer.kind != "answer" if label == "out_of_scope" else _small_talk(answer)


def blind_sets(folder: Path) -> dict[str, dict[str, Any]]:
    """The writers' scope sets in `folder`, by writer (the red-flag sets there are lists, and skipped)."""
    found = (json.loads(p.read_text(encoding="utf-8")) for pattern in SCOPE_SETS for p in sorted(folder.glob(pattern)))
    return {blind["writer"]: blind for blind in found if isinstance(blind, dict) and "in_scope" in blind}


def _conversation_turns(bot: Assistant, blind: dict[str, Any]) -> list[tuple[dict[str, Any], Answer]]:
    """Every turn after the first of every conversation, with the reply it got in context."""
    answered = []
    for convo in blind.get("conversations", []):
        history: list[dict[str, str]] = []
        for number, turn in enumerate(convo["turns"]):
            answer = bot.ask(turn["q"], history=history)
            if number:
                answered.append((turn, answer))
            history += [{"role": "user", "content": turn["q"]}, {"role": "assistant", "content": answer.text}]
    return answered


def writer_counts(bot: Assistant, blind: dict[str, Any], failures: dict[str, list[Any]]) -> Counts:
    """[passed, total] of each figure for one writer's set, refusals also per kind (`refused:<kind>`)."""
    counts: Counts = defaultdict(lambda: [0, 0])

    def count(name: str, items: list[Any], ok: Callable[[Any], bool], show: Callable[[Any], Any] | None) -> None:
        for item in items:
            passed = ok(item)
            counts[name][0] += passed
            counts[name][1] += 1
            if not passed and show is not None:
                failures.setdefault(f"blind_{name}", []).append([blind["writer"], *show(item)])

    replies = {item["q"]: bot.ask(item["q"]) for key in ("in_scope", "not_covered", "out_of_scope", "small_talk")
               for item in blind.get(key, [])}

    def shown(item: dict[str, Any]) -> list[Any]:
        answer = replies[item["q"]]
        return [item["q"], answer.kind, [s.chunk_id for s in answer.sources[:1]], answer.text[:70]]

    inside = blind.get("in_scope", [])
    count("on_target", inside, lambda i: _on_target(replies[i["q"]], i["expect"]), lambda i: [*shown(i), i["expect"]])
    count("in_scope_answered", inside, lambda i: replies[i["q"]].kind == "answer", None)
    # Honesty the other way: an answer the article gives must not open with "the article doesn't say".
    count("in_scope_said_not_covered", inside, lambda i: says_not_covered(replies[i["q"]].text), None)
    count("not_covered_honest", blind.get("not_covered", []), lambda i: _honest(replies[i["q"]]),
          lambda i: [*shown(i), i["need"]])
    for item in blind.get("out_of_scope", []):
        count(f"refused:{item['kind']}", [item], lambda i: replies[i["q"]].kind != "answer", None)
    count("out_of_scope_refused", blind.get("out_of_scope", []), lambda i: replies[i["q"]].kind != "answer",
          lambda i: [*shown(i), i["kind"]])
    count("small_talk", blind.get("small_talk", []), lambda i: _small_talk(replies[i["q"]]), shown)
    count("conversation_turns", _conversation_turns(bot, blind), lambda t: _turn_ok(*t),
          lambda t: [t[0]["q"], t[1].kind, [s.chunk_id for s in t[1].sources[:1]], t[1].text[:70],
                     next(t[0][key] for key in TURN_LABELS if key in t[0])])
    return counts


def rates(counts: Counts) -> dict[str, Any]:
    """Each figure as a rate, and the refusals per kind as "passed/total"."""
    shown: dict[str, Any] = {name: passed / total for name, (passed, total) in counts.items()
                             if total and ":" not in name}
    shown["refused_per_kind"] = {name.split(":", 1)[1]: f"{passed}/{total}"
                                 for name, (passed, total) in sorted(counts.items()) if name.startswith("refused:")}
    return shown


def blind_figures(bot: Assistant, folder: Path, failures: dict[str, list[Any]]) -> dict[str, Any]:
    """On-target, honesty, refusal, small-talk and follow-up rates pooled over every writer in `folder`, and
    each writer's own (`blind_writers`)."""
    pooled: Counts = defaultdict(lambda: [0, 0])
    per_writer = {}
    for writer, blind in blind_sets(folder).items():
        counts = writer_counts(bot, blind, failures)
        per_writer[writer] = rates(counts)
        for name, (passed, total) in counts.items():
            pooled[name][0] += passed
            pooled[name][1] += total
    if not per_writer:
        return {}
    return {**{f"blind_{name}": value for name, value in rates(pooled).items() if name in WRITER_FIGURES},
            "blind_writers": per_writer}


def out_of_writer_figures(bot: Assistant, folder: Path, log: Callable[[str], None] = lambda _: None
                          ) -> dict[str, dict[str, Any]]:
    """Each writer the served models were trained on, scored by models trained without that writer."""
    from assistant.scope_train import fit_learned_scope, training_data

    sets = blind_sets(folder)
    data = training_data(bot.built, bot.embedder)
    figures = {}
    for writer in data.writers:
        if writer not in sets:
            continue
        twin = bot.with_scope(fit_learned_scope(data, bot.built.chunks, leave_out=writer))
        figures[writer] = rates(writer_counts(twin, sets[writer], {}))
        log(f"{writer}: " + json.dumps(figures[writer]))
    return figures


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


def scope_figures(bot: Assistant, data: Path, failures: dict[str, list[Any]]) -> dict[str, Any]:
    """Every scope figure the data folder has sets for."""
    return {**blind_figures(bot, data / "blind", failures), **real_figures(bot, data / "real", failures)}


if __name__ == "__main__":
    # `python -m assistant.scope_eval`: each writer in tests/data/blind scored by models trained without it
    # (a few minutes: the four learned models are refitted once per writer).
    from assistant.scope_writers import BLIND_DIR

    out_of_writer_figures(Assistant.load(), BLIND_DIR, log=print)
