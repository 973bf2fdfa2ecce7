"""Red-flag triage: recall and false alarms on the labelled sets, and the rules one by one."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from timing import fastest, ordinary_question_seconds

from assistant import Assistant
from assistant.triage import EVIDENCE_CHARS, Triage, red_flags, triage

DATA = Path(__file__).parent / "data"
RANK = {"none": 0, "urgent": 1, "emergency": 2}
CATEGORIES = {
    "emergency": {"cauda_equina", "neuro_deficit", "major_trauma", "chest_or_heart", "aortic"},
    "urgent": {"infection", "kidney_infection", "fracture_risk", "malignancy"},
}


def load(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def messages(item: dict[str, Any]) -> list[str]:
    return item.get("messages") or [item["text"]]


def pieces(evidence: str) -> list[str]:
    """The quoted parts of an evidence string, without the ellipses that join or cut them."""
    return [p.strip("…").strip() for p in evidence.split(" … ") if p.strip("…").strip()]


# ───────────────────────── the labelled sets ─────────────────────────


def test_red_flag_set_covers_every_category() -> None:
    flags = load("red_flags.json")
    assert len(flags) >= 75
    assert sum("messages" in item for item in flags) >= 8
    for level, categories in CATEGORIES.items():
        for category in categories:
            labelled = [item for item in flags if (item["category"], item["tier"]) == (category, level)]
            assert len(labelled) >= 5, category


def test_red_flag_recall() -> None:
    flags = load("red_flags.json")
    hits, over, wrong_category, missed = 0, [], [], []
    for item in flags:
        found = triage(messages(item))
        if RANK[found.level] >= RANK[item["tier"]]:
            hits += 1
            if found.level != item["tier"]:
                over.append(messages(item)[-1])
            elif found.category != item["category"]:
                wrong_category.append((item["category"], found.category, messages(item)[-1]))
        else:
            missed.append((item["tier"], item["category"], messages(item)))
    recall = hits / len(flags)
    print(f"\nred-flag recall {recall:.3f} ({hits}/{len(flags)})")
    print(f"urgent items called emergency (counted as hits): {len(over)} {over}")
    print(f"right tier, other category: {len(wrong_category)} {wrong_category}")
    assert recall >= 0.95, missed


def test_false_alarm_rate() -> None:
    ordinary = load("look_alikes.json") + load("in_scope.json")
    assert len(load("look_alikes.json")) >= 50
    found = [(messages(item), triage(messages(item))) for item in ordinary]
    alarms = [(said, flag) for said, flag in found if flag.level != "none"]
    rate = len(alarms) / len(ordinary)
    print(f"\nfalse alarm rate {rate:.3f} ({len(alarms)}/{len(ordinary)})")
    assert rate <= 0.05, alarms


# ───────────────────────── the rules ─────────────────────────


@pytest.mark.parametrize("text", [
    "no numbness, bladder fine",
    "I don't have a fever",
    "no weakness in my legs",
    "no tingling or numbness anywhere, just a stiff back",
    "my bladder and bowels are normal",
    "he hasn't had a fall, his osteoporosis is stable",
    "never had cancer or anything like that",
    "i haven't lost any weight",
    "no chest pain, only my lower back",
    "I can feel everything down there fine",
])
def test_negated_signs_do_not_trigger(text: str) -> None:
    assert triage([text]).level == "none"


@pytest.mark.parametrize(("text", "category"), [
    ("no fever but I can't pee since this morning", "cauda_equina"),
    ("not sure if it matters but I wet myself last night", "cauda_equina"),
    ("my bum is numb, is that normal?", "cauda_equina"),
    ("no idea why but i keep peeing myself", "cauda_equina"),
])
def test_negation_stays_in_its_own_clause(text: str, category: str) -> None:
    assert triage([text]).category == category


@pytest.mark.parametrize("text", [
    "does the bridge help bladder control?",
    "my foot went to sleep during the stretch",
    "I fell asleep on the sofa",
    "had flu last month, fully better",
    "I can feel the stretch in both legs",
    "pelvic floor exercises",
    "chest to knee stretch",
    "how much weight should I deadlift?",
    "I work night shifts, when should I stretch?",
    "I use a ladder at work, how do I protect my back?",
    "I did a walk for cancer awareness",
])
def test_look_alikes_do_not_trigger(text: str) -> None:
    assert triage([text]).level == "none"


@pytest.mark.parametrize(("text", "category"), [
    ("my dad has pins and needles in his privates", "cauda_equina"),
    ("my wife can't pee and her back is bad", "cauda_equina"),
    ("my husband's legs keep giving way", "neuro_deficit"),
    ("my son came off his bike and landed on his back", "major_trauma"),
    ("my mum has osteoporosis and she fell yesterday", "fracture_risk"),
    ("my dad has lost a lot of weight without trying and his back aches", "malignancy"),
])
def test_third_person_counts(text: str, category: str) -> None:
    assert triage([text]).category == category


@pytest.mark.parametrize("spelling", ["can't", "cant", "cannot", "can not", "can’t", "am unable to",
                                      "haven't been able to", "CAN'T"])
def test_every_spelling_of_cant(spelling: str) -> None:
    assert triage([f"I {spelling} pee since yesterday"]).category == "cauda_equina"


@pytest.mark.parametrize(("text", "category"), [
    ("numbess around my bottom", "cauda_equina"),
    ("tingleing in my groin", "cauda_equina"),
    ("bladdar wont empty", "cauda_equina"),
    ("incontinance since my back went", "cauda_equina"),
    ("back pain and a feaver", "infection"),
    ("i have osteoperosis and tripped on the rug", "fracture_risk"),
    ("my bum is sooo numb", "cauda_equina"),
    ("numbnesss in my crotch", "cauda_equina"),
    ("tempreture of 39 and back ache", "infection"),
    # An "-ing" word as it is spoken is the word the rules name, and "cnt" is "can't".
    ("keep wettin the bed since my back went", "cauda_equina"),
    ("been leakin a bit since the back went, only noticed when i stood up", "cauda_equina"),
    ("back pain n been shiverin all night, runnin a temp", "infection"),
    ("cnt feel myself wipin since my back went", "cauda_equina"),
])
def test_typos_and_stretched_words(text: str, category: str) -> None:
    assert triage([text]).category == category


@pytest.mark.parametrize("text", [
    "back stiff from sittin all day, any stretches?",
    "my skin is dry and my back aches, what helps?",
    "doin the cat cow every mornin, is that enough",
])
def test_words_that_only_end_in_in_are_left_alone(text: str) -> None:
    assert triage([text]).level == "none"


def test_facts_combine_across_messages() -> None:
    first, later = "I have osteoporosis", "I slipped on a step and now my back really hurts"
    assert triage([first]).level == "none"
    assert triage([later]).level == "none"
    found = triage([first, "which exercises are safe?", later])
    assert (found.level, found.category) == ("urgent", "fracture_risk")


@pytest.mark.parametrize("later", ["it's fine now", "no numbness now, how do I do the bridge?",
                                   "ignore that, what about planks", "all better, thanks"])
def test_urgency_never_goes_down(later: str) -> None:
    start = triage(["my bum went numb this morning"])
    assert start.level == "emergency"
    assert triage(["my bum went numb this morning", later]) == start


def test_later_messages_never_lower_any_labelled_conversation() -> None:
    for item in load("red_flags.json"):
        before = triage(messages(item))
        after = triage([*messages(item), "it's fine now, forget it", "how do I do the bridge?"])
        assert RANK[after.level] >= RANK[before.level], messages(item)


def test_category_label_and_evidence_are_returned() -> None:
    found = triage(["My back has ached for a week. Since this morning I can't feel my bum when I wipe!"])
    assert (found.level, found.category, found.rule, found.source) == (
        "emergency", "cauda_equina", "saddle_numbness", "rules")
    assert found.label == red_flags().categories[0].label
    assert found.evidence == "Since this morning I can't feel my bum when I wipe"


@pytest.mark.parametrize("conversation", [
    ["I’ve had back pain for ages. Now my BUM is numb!!"],
    ["I have osteoporosis", "all fine otherwise", "I tripped on the stairs and my back hurts"],
    ["ok so " + "blah " * 200 + "and then i wet myself and " + "blah " * 200],
    ["Ça va. Mon dos… my légs are both numb"],
])
def test_evidence_is_the_users_own_words(conversation: list[str]) -> None:
    found = triage(conversation)
    assert found.level != "none" and found.evidence
    assert len(found.evidence) <= EVIDENCE_CHARS
    for piece in pieces(found.evidence):
        assert any(piece in message for message in conversation), piece


def test_every_category_has_plain_label() -> None:
    categories = {c.id: c for c in red_flags().categories}
    for level, ids in CATEGORIES.items():
        for cid in ids:
            assert categories[cid].level == level
            words = categories[cid].label.split()
            assert 2 <= len(words) <= 30 and max(map(len, words)) <= 13, categories[cid].label
            assert categories[cid].source, cid


@pytest.mark.parametrize("conversation", [[], [""], ["", "   "], ["\n\n"], ["?!"], ["…"]])
def test_empty_input_is_fine(conversation: list[str]) -> None:
    assert triage(conversation) == Triage("none")


def _fastest(conversation: list[str], runs: int = 3) -> float:
    """Best of a few runs, each on a slightly different last message so no cached reading is reused."""
    best = float("inf")
    for run in range(runs):
        start = time.perf_counter()
        triage([*conversation[:-1], f"{conversation[-1]} {run}"])
        best = min(best, time.perf_counter() - start)
    return best


LONG = 200_000
# Bounds a busy 2-core CI machine meets with room to spare; what they catch is a regex that goes
# super-linear on long input, which costs seconds or minutes, not milliseconds.
LONG_BOUND = 0.25


@pytest.mark.parametrize("text", [
    ("my lower back has been sore for a while and I sit at a desk all day. " * 3000)[:LONG],
    ("a" * LONG),
    ("no numbness, bladder fine, no fever, not lost weight. " * 4000)[:LONG],
    ("can't " * 40000)[:LONG],
    ("(" * LONG),
    (". " * 100_000),
    ("both legs stretch knee to chest " * 7000)[:LONG],
    ("osteoporosis " * 16000)[:LONG],
])
def test_a_200k_message_is_checked_fast(text: str) -> None:
    assert len(text) >= LONG - 100
    assert _fastest([text + "x"]) < LONG_BOUND


def test_a_200k_message_is_checked_to_the_end() -> None:
    text = "my back is sore from sitting. " * 6700 + "Today I wet myself."
    assert len(text) > LONG
    found = triage([text])
    assert found.category == "cauda_equina" and found.evidence == "Today I wet myself"
    assert _fastest([text]) < LONG_BOUND


def test_a_typical_message_costs_a_small_part_of_an_answer(bot: Assistant) -> None:
    """Triage reads every message before anything else, so it must stay a small share of answering one:
    measured against an ordinary question in the same run, best of several, since CI machines are noisy."""
    text = "my lower back has been sore for a week, I work at a desk, which stretch should I start with?"
    triage([text])
    runs = iter(range(20))
    cost = fastest(lambda: triage([f"{text} {next(runs)}"]), 20)
    assert cost < 0.25 * ordinary_question_seconds(bot)
