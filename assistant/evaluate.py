"""Quality and safety figures on labelled sets, checked against thresholds kept in the repo.

A clinic that adds documents re-runs this (`python -m assistant eval`) to see nothing regressed.
"""

from __future__ import annotations

import json
import statistics
import time
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.assistant import STEPS_HELD, Assistant
from assistant.readability import reading_grade
from assistant.records import Answer
from assistant.retrieve import Method
from assistant.scope_eval import SCOPE_FIGURES, scope_figures
from assistant.settings import Settings
from assistant.triage import triage

RANK = {"none": 0, "answer": 0, "out_of_scope": 0, "invalid": 0, "urgent": 1, "emergency": 2}

METHODS: tuple[Method, ...] = ("dense", "bm25", "hybrid")


def _load(folder: Path, name: str) -> list[dict[str, Any]]:
    path = folder / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def retrieval_table(bot: Assistant, questions: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """hit@1, MRR@5 and recall@3 of each ranking method on the single questions."""
    table: dict[str, dict[str, float]] = {}
    for method in METHODS:
        hit1 = mrr = recall3 = 0.0
        for item in questions:
            ranked = [h.chunk_id for h in bot.search(item["q"], k=5, method=method)]
            expected = set(item["expect"])
            first = next((i for i, chunk_id in enumerate(ranked) if chunk_id in expected), None)
            hit1 += first == 0
            mrr += 1 / (first + 1) if first is not None else 0
            recall3 += first is not None and first < 3
        n = max(len(questions), 1)
        table[method] = {"hit@1": hit1 / n, "mrr@5": mrr / n, "recall@3": recall3 / n}
    return table


def on_target(answer: Answer, expected: list[str] | str) -> bool:
    wanted = [expected] if isinstance(expected, str) else expected
    return answer.kind == "answer" and bool(answer.sources) and answer.sources[0].chunk_id in wanted


def evaluate(settings: Settings, data: Path, bot: Assistant | None = None) -> dict[str, Any]:
    """Every figure the thresholds file names, plus the failures behind each, as a JSON-ready dict."""
    bot = bot or Assistant.load(settings)
    questions = _load(data, "questions.json")
    conversations = _load(data, "conversations.json")
    failures: dict[str, list[Any]] = {"on_target": [], "list": [], "follow_up": [], "safety": [], "scope": []}
    answers: list[Answer] = []

    hits = 0
    for item in questions:
        answer = bot.ask(item["q"])
        answers.append(answer)
        if on_target(answer, item["expect"]):
            hits += 1
        else:
            failures["on_target"].append([item["q"], item["expect"], [s.chunk_id for s in answer.sources[:1]]])

    lists = [item for item in questions if item["type"] == "group"]
    complete = 0
    for item in lists:
        answer = bot.ask(item["q"])
        group = bot.by_id.get(answer.sources[0].chunk_id) if answer.sources else None
        members = [bot.by_id[m].title for m in group.members] if group and group.kind == "group" else []
        if members and on_target(answer, item["expect"]) and all(t in answer.text for t in members):
            complete += 1
        else:
            failures["list"].append(item["q"])

    follow_total = follow_ok = 0
    for convo in conversations:
        history: list[dict[str, str]] = []
        for turn_no, turn in enumerate(convo["turns"]):
            answer = bot.ask(turn["q"], history=history)
            answers.append(answer)
            if turn_no:
                follow_total += 1
                shown = all(s in answer.text for s in turn.get("answer_contains", []))
                ok = on_target(answer, turn["expect"]) and shown
                follow_ok += ok
                if not ok:
                    failures["follow_up"].append([convo["name"], turn["q"], turn["expect"],
                                                  [s.chunk_id for s in answer.sources[:1]]])
            history += [{"role": "user", "content": turn["q"]}, {"role": "assistant", "content": answer.text}]

    safety = safety_figures(bot, data, failures)
    scope = scope_figures(bot, data, failures)
    consistent = sum(bot.ask(item["q"]).to_dict() == bot.ask(item["q"]).to_dict() for item in questions[:30])
    report: dict[str, Any] = {
        "retrieval": retrieval_table(bot, questions),
        "answers_on_target": hits / max(len(questions), 1),
        "list_answers_complete": complete / max(len(lists), 1),
        "follow_ups_resolved": follow_ok / max(follow_total, 1),
        "footer_rate": sum(a.text.endswith(a.footer) for a in answers) / max(len(answers), 1),
        "consistency": consistent / max(min(len(questions), 30), 1),
        "reading_grade_answers": statistics.mean(reading_grade(a.text) for a in answers) if answers else 0.0,
        **safety,
        **scope,
        "counts": {"questions": len(questions), "lists": len(lists), "conversations": len(conversations),
                   "follow_ups": follow_total},
        "failures": failures,
    }
    thresholds = tomllib.loads((data / "thresholds.toml").read_text(encoding="utf-8"))
    report["thresholds"] = thresholds
    # A figure the folder has no data for (the blind sets live only in tests/data) has no threshold to meet.
    report["below"] = [name for name, floor in thresholds.get("min", {}).items()
                       if name in report and report[name] < floor]
    report["below"] += [name for name, ceiling in thresholds.get("max", {}).items()
                        if name in report and report[name] > ceiling]
    report["red_flag_sets"] = red_flag_sets(bot, data)
    report["below"] += red_flag_sets_below(report["red_flag_sets"], data)
    report["passed"] = not report["below"]
    return report


def _conversation(bot: Assistant, messages: list[str]) -> Answer:
    """The reply to the last message, after the earlier ones were asked in turn."""
    history: list[dict[str, str]] = []
    for message in messages[:-1]:
        reply = bot.ask(message, history=history)
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": reply.text}]
    return bot.ask(messages[-1], history=history)


def red_flag_sets(bot: Assistant, data: Path) -> dict[str, dict[str, Any]]:
    """Per set written blind (data/blind/*.json and the training writers in data/blind/train), through `ask()`:
    red flags caught (emergency or urgent), emergencies answered with exercise steps, and false alarms per
    category and per look-alike trap; the other-language set (`languages`); and the real consumer questions
    (data/real): emergency/urgent verdicts on questions labelled "none". The learned opinion was trained on
    every one of these writers, so these are in-sample: its out-of-writer figures come from its model file.
    Scope sets (tables of question kinds) in the same folder are read by scope_eval."""
    sets: dict[str, dict[str, Any]] = {}
    for path in sorted([*(data / "blind").glob("*.json"), *(data / "blind" / "train").glob("*.json")]):
        items = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(items, dict) and "other_language" in items:
            sets[path.stem] = languages_set(bot, items)
            continue
        if not isinstance(items, list):
            continue  # a scope set, read by scope_eval
        per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        per_trap: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        with_steps, held, missed, alarms, times = 0, 0, [], [], []
        for item in items:
            messages = item.get("messages") or [item["text"]]
            started = time.perf_counter()
            triage(messages)
            times.append(time.perf_counter() - started)
            answer = _conversation(bot, messages)
            raised = answer.kind in ("emergency", "urgent")
            if item["tier"] == "none":
                held += answer.category == STEPS_HELD
                per_trap[item.get("trap", "other")][0] += raised
                per_trap[item.get("trap", "other")][1] += 1
                if raised:
                    alarms.append([item.get("trap"), answer.category, messages])
                continue
            caught = RANK[answer.kind] >= 1
            per_category[item["category"]][0] += caught
            per_category[item["category"]][1] += 1
            if not caught:
                missed.append([item["category"], messages])
            if item["tier"] == "emergency" and answer.kind == "answer" and any(
                    bot.by_id[s.chunk_id].steps for s in answer.sources if s.chunk_id in bot.by_id):
                with_steps += 1
        flags = sum(n for _, n in per_category.values())
        looks = sum(n for _, n in per_trap.values())
        sets[path.stem] = {
            "red_flag_recall": sum(c for c, _ in per_category.values()) / max(flags, 1),
            "emergencies_with_exercise_steps": with_steps,
            "look_alikes_with_steps_held": held,
            "false_alarm_rate": len(alarms) / max(looks, 1),
            "recall_per_category": {k: f"{c}/{n}" for k, (c, n) in sorted(per_category.items())},
            "false_alarms_per_trap": {k: f"{c}/{n}" for k, (c, n) in sorted(per_trap.items())},
            "triage_p50_ms": 1000 * statistics.median(times) if times else 0.0,
            "counts": {"red_flags": flags, "look_alikes": looks},
            "missed": missed, "false_alarms": alarms,
        }
    labels_file = data / "real" / "consumer-labels.json"
    questions_file = data / "real" / "consumer-health-questions.json"
    if labels_file.exists() and questions_file.exists():
        questions = json.loads(questions_file.read_text(encoding="utf-8"))
        alarms, caught, flagged = [], 0, 0
        for label in json.loads(labels_file.read_text(encoding="utf-8")):
            answer = bot.ask(questions[label["i"]]["text"])
            raised = answer.kind in ("emergency", "urgent")
            if label["red_flag"] == "none" and raised:
                alarms.append([label["i"], answer.category])
            if label["red_flag"] != "none":
                flagged += 1
                caught += raised
        sets["consumer-questions"] = {"alarms_on_none": len(alarms), "red_flags_caught": f"{caught}/{flagged}",
                                      "false_alarms": alarms}
    return sets


def languages_set(bot: Assistant, data: dict[str, Any]) -> dict[str, Any]:
    """An other-language set: red flags given the emergency or urgent card, other messages flagged (should be
    none), messages answered in neither English nor their language; and its English, which must never get the
    other-language reply."""
    missed, alarms, unanswered = [], [], []
    flags = 0
    for item in data["other_language"]:
        answer = bot.ask(item["text"])
        raised = answer.kind in ("emergency", "urgent")
        if item["tier"] != "none":
            flags += 1
            if not raised:
                missed.append([item["lang"], item["text"]])
        elif raised:
            alarms.append([item["lang"], item["text"], answer.category])
        if not raised and answer.category != "language":
            unanswered.append([item["lang"], item["text"], answer.category])
    misread = [item["text"] for item in data["english"] if bot.ask(item["text"]).category == "language"]
    english_none = [item for item in data["english"] if item["tier"] == "none"]
    english_alarms = [item["text"] for item in english_none if bot.ask(item["text"]).kind in ("emergency", "urgent")]
    return {"other_language_red_flags_caught": round(1 - len(missed) / max(flags, 1), 3),
            "other_language_alarms_on_none": len(alarms), "other_language_not_recognised": len(unanswered),
            "english_misread_as_other_language": len(misread), "english_alarms_on_none": len(english_alarms),
            "counts": {"other_language": len(data["other_language"]), "red_flags": flags,
                       "english": len(data["english"])},
            "missed": missed, "false_alarms": alarms + [["english", t] for t in english_alarms],
            "not_recognised": unanswered, "misread": misread}


def red_flag_sets_below(sets: dict[str, dict[str, Any]], data: Path) -> list[str]:
    """The figures of each set that miss their floor or ceiling in data/blind/thresholds.toml."""
    path = data / "blind" / "thresholds.toml"
    if not path.exists():
        return []
    below = []
    for name, limits in tomllib.loads(path.read_text(encoding="utf-8")).items():
        figures = sets.get(name, {})
        below += [f"{name}.{k}" for k, floor in limits.get("min", {}).items() if figures.get(k, 0) < floor]
        below += [f"{name}.{k}" for k, ceiling in limits.get("max", {}).items() if figures.get(k, 0) > ceiling]
    return below


def safety_figures(bot: Assistant, data: Path, failures: dict[str, list[Any]]) -> dict[str, float]:
    """Red-flag recall, false alarms and out-of-scope accuracy, through `ask()` as a user meets them."""
    order = {"none": 0, "answer": 0, "out_of_scope": 0, "invalid": 0, "urgent": 1, "emergency": 2}

    def final_kind(item: dict[str, Any]) -> Answer:
        messages = item.get("messages") or [item["text"]]
        history: list[dict[str, str]] = []
        for message in messages[:-1]:
            reply = bot.ask(message, history=history)
            history += [{"role": "user", "content": message}, {"role": "assistant", "content": reply.text}]
        return bot.ask(messages[-1], history=history)

    flags = _load(data, "red_flags.json")
    caught = 0
    grades: list[float] = []
    for item in flags:
        answer = final_kind(item)
        if answer.kind in ("emergency", "urgent"):
            grades.append(reading_grade(answer.text))
        if order[answer.kind] >= order[item["tier"]]:
            caught += 1
        else:
            failures["safety"].append(["missed", item.get("text") or item.get("messages"), answer.kind])
    ordinary = _load(data, "look_alikes.json") + _load(data, "in_scope.json")
    alarms = 0
    for item in ordinary:
        answer = final_kind(item)
        if answer.kind in ("emergency", "urgent"):
            alarms += 1
            failures["safety"].append(["false alarm", item.get("text") or item.get("messages"), answer.kind])
    outside = _load(data, "out_of_scope.json")
    refused = 0
    for item in outside:
        answer = bot.ask(item["text"])
        refused += answer.kind == "out_of_scope"
        if answer.kind != "out_of_scope":
            failures["scope"].append(["answered", item["text"], [s.chunk_id for s in answer.sources[:1]]])
    # Every labelled in-scope question: the retrieval set and the extra in-scope set.
    inside = [{"text": q["q"]} for q in _load(data, "questions.json")] + _load(data, "in_scope.json")
    kept = 0
    for item in inside:
        answer = bot.ask(item["text"])
        kept += answer.kind == "answer"
        if answer.kind != "answer":
            failures["scope"].append(["refused", item["text"], answer.kind])
    return {
        "red_flag_recall": caught / max(len(flags), 1),
        "false_alarm_rate": alarms / max(len(ordinary), 1),
        "out_of_scope_accuracy": refused / max(len(outside), 1),
        "in_scope_kept": kept / max(len(inside), 1),
        "reading_grade_safety": statistics.mean(grades) if grades else 0.0,
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"{'method':8s} {'hit@1':>6s} {'mrr@5':>6s} {'recall@3':>8s}")
    for method, row in report["retrieval"].items():
        print(f"{method:8s} {row['hit@1']:6.3f} {row['mrr@5']:6.3f} {row['recall@3']:8.3f}")
    for name in ("answers_on_target", "list_answers_complete", "follow_ups_resolved", "footer_rate", "consistency",
                 "reading_grade_answers", "red_flag_recall", "false_alarm_rate", "out_of_scope_accuracy",
                 "in_scope_kept", "reading_grade_safety", *SCOPE_FIGURES):
        if name in report:
            print(f"{name:32s} {report[name]:.3f}")
    print("counts: " + ", ".join(f"{k}={v}" for k, v in report["counts"].items()))
    for name, figures in report.get("red_flag_sets", {}).items():
        shown = {k: v for k, v in figures.items() if k not in ("missed", "false_alarms", "not_recognised", "misread")}
        print(f"red-flag set {name}: " + json.dumps(shown, ensure_ascii=False))
    for name, items in report["failures"].items():
        for item in items:
            print(f"  {name}: {item}")
    print("PASSED" if report["passed"] else f"BELOW THRESHOLD: {', '.join(report['below'])}")
