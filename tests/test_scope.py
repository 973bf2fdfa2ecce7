"""Out-of-scope detection: accuracy on the labelled sets, and the plain cases one by one."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.scope import REASONS, Scope, check_scope, scope_rules
from assistant.triage import triage

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def test_out_of_scope_accuracy() -> None:
    items = load("out_of_scope.json")
    assert len(items) >= 30 and {item["reason"] for item in items} == set(REASONS)
    wrong = [(item["reason"], check_scope(item["text"]), item["text"]) for item in items
             if check_scope(item["text"]) != Scope(False, item["reason"])]
    accuracy = 1 - len(wrong) / len(items)
    print(f"\nout-of-scope accuracy {accuracy:.3f} ({len(items) - len(wrong)}/{len(items)})")
    assert accuracy >= 0.90, wrong


def test_in_scope_kept() -> None:
    items = load("in_scope.json")
    assert len(items) >= 40
    refused = [(item["text"], scope) for item in items if not (scope := check_scope(item["text"])).in_scope]
    kept = 1 - len(refused) / len(items)
    print(f"\nin-scope kept {kept:.3f} ({len(items) - len(refused)}/{len(items)})")
    assert kept >= 0.95, refused


def test_in_scope_questions_raise_no_red_flag() -> None:
    assert [item["text"] for item in load("in_scope.json") if triage([item["text"]]).level != "none"] == []


@pytest.mark.parametrize(("text", "reason"), [
    ("how do I stretch my neck?", "other_body_part"),
    ("my knee hurts when I squat", "other_body_part"),
    ("exercises for a sprained ankle", "other_body_part"),
    ("shoulder pain when I lift my arm", "other_body_part"),
    ("my wrist aches from typing", "other_body_part"),
    ("tennis elbow exercises", "other_body_part"),
    ("pelvic floor exercises after giving birth, how do i do them", "other_body_part"),
    ("is yoga ok after a hip replacement?", "other_body_part"),
    ("do I have a slipped disc?", "diagnosis"),
    ("is it sciatica?", "diagnosis"),
    ("what's wrong with my back", "diagnosis"),
    ("could this be a herniated disk", "diagnosis"),
    # A cause or a label asked for the user's own symptom, in words the first rules did not list.
    ("what's the reason my lower back aches after running?", "diagnosis"),
    ("where is my back pain coming from?", "diagnosis"),
    ("lower back pain when I cough, what does that mean?", "diagnosis"),
    ("could my back pain be from endometriosis?", "diagnosis"),
    ("I've had a dull ache by my spine for weeks, muscle or disc?", "diagnosis"),
    ("can you tell me what I've got?", "diagnosis"),
    ("my back locks up when I stand, what's happening to me?", "diagnosis"),
    ("should I worry about the pain in my back that comes and goes?", "diagnosis"),
    ("is it normal for my back to feel like this after gardening?", "diagnosis"),
    ("my lower back has been aching on one side for a week, any idea?", "diagnosis"),
    # A condition that was over and is asked about again is still a diagnosis request.
    ("had a slipped disc years ago, could it be that again?", "diagnosis"),
    ("its not gone, is it a disc?", "diagnosis"),
    # Asking to be diagnosed is asking for a diagnosis; being diagnosed already is part of the story (below).
    ("how do i get diagnosed with sciatica", "diagnosis"),
    ("can you diagnose my back pain", "diagnosis"),
    ("how much ibuprofen can I take?", "medication"),
    ("can I take naproxen", "medication"),
    ("what painkillers are best", "medication"),
    ("is 500 mg too much", "medication"),
    ("should I get an MRI", "scan_or_surgery"),
    ("do I need surgery", "scan_or_surgery"),
    ("would an x-ray help", "scan_or_surgery"),
    ("what's the weather", "off_topic"),
    ("write me a poem", "off_topic"),
    ("best pizza near me", "off_topic"),
    ("bitcoin price", "off_topic"),
])
def test_plain_out_of_scope_cases(text: str, reason: str) -> None:
    assert check_scope(text) == Scope(False, reason)


@pytest.mark.parametrize("text", [
    "was diagnosed with a herniated disc in june, which stretches are safe for me?",
    "my gp diagnosed a muscle strain, what exercises help it?",
])
def test_a_diagnosis_already_given_is_not_a_request_for_one(text: str) -> None:
    assert check_scope(text).reason != "diagnosis"


@pytest.mark.parametrize("text", [
    "what helps lower back pain?",
    "how do I do the bridge",
    "is it ok to do planks every day",
    "how long should I hold child's pose",
    "im a office worker, what should i do",
    "should i use heat or ice",
    "knee-to-chest stretch, how long?",
    "how far apart should my knees be in the bridge",
    "my hamstrings feel it",
    "hands and knees for cat cow, where do my shoulders go?",
    "can the piriformis stretch help sciatica?",
    "what causes lower back pain?",
    "my back and knee both hurt after gardening, which stretch?",
    "exercises instead of painkillers?",
    "write me a plan for my back exercises",
    "is it safe if i have a herniated disc",
    "is it ok to stretch with sciatica?",
    "is it good for a slipped disc?",
    "can the bridge cause pain?",
    "why does stretching make my back sore?",
    "which is better for sciatica, the piriformis stretch or the knee to chest?",
    "is it normal to feel sore after the bridge?",
    "my back is stiff every morning, any idea what helps?",
    "my back aches after work, what should I do?",
    # A condition said to be over asks nothing about it.
    "had sciatica last year but it's gone now, what exercises keep my back strong?",
    "its been fine since my disc problem healed, what exercises keep it that way",
])
def test_the_lower_back_keeps_a_question_in_scope(text: str) -> None:
    assert check_scope(text) == Scope(True, None)


@pytest.mark.parametrize("text", ["", "   ", "?", "a" * 1000])
def test_odd_input_is_left_to_the_caller(text: str) -> None:
    assert check_scope(text) == Scope(True, None)


def test_scope_is_frozen_and_every_reason_has_rules() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        check_scope("hi").in_scope = False  # type: ignore[misc]
    assert [c.id for c in scope_rules().categories] == list(REASONS)


def test_a_200k_question_is_checked_fast() -> None:
    text = ("my lower back is stiff, how long do I hold the knee to chest stretch? " * 3000)[:200_000]
    best = float("inf")
    for run in range(3):
        start = time.perf_counter()
        assert check_scope(f"{text} {run}").in_scope
        best = min(best, time.perf_counter() - start)
    # Generous for a busy machine; a super-linear pattern would take seconds.
    assert best < 0.25
