"""The rule file checks itself: unknown keys fail, every rule has examples that fire through it and
near-misses that do not, and context windows come from the rules rather than a constant."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from assistant.triage import RuleSet, red_flags, triage

RULES = red_flags()
RAW = tomllib.loads((resources.files("assistant") / "red_flags.toml").read_text(encoding="utf-8"))


def _cases(kind: str) -> list[Any]:
    return [pytest.param(rule, text, id=f"{rule.id}: {text[:40]}") for rule in RULES.rules
            for text in getattr(rule, kind)]


def test_every_rule_has_examples_and_near_misses() -> None:
    for rule in RULES.rules:
        assert rule.examples and rule.near_misses, rule.id
        assert rule.why, rule.id


@pytest.mark.parametrize(("rule", "text"), _cases("examples"))
def test_example_fires_through_its_rule(rule: Any, text: str) -> None:
    assert RULES.search([text], only=rule) is not None, "the rule itself does not match its example"
    found = triage([text])
    assert found.category == rule.category, (found.category, found.rule)
    assert found.evidence and all(part.strip("…").strip() in text for part in found.evidence.split(" … "))


@pytest.mark.parametrize(("rule", "text"), _cases("near_misses"))
def test_near_miss_does_not_fire_through_its_rule(rule: Any, text: str) -> None:
    assert RULES.search([text], only=rule) is None


def _with(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    change(data)
    return data


@pytest.mark.parametrize(("where", "change"), [
    ("rule 'saddle_numbness'", lambda d: d["category"][0]["rule"][0].update(unles=["bike"])),
    ("category 'cauda_equina'", lambda d: d["category"][0].update(lable="x")),
    ("rule file", lambda d: d.update(cues={})),
    ("[settings]", lambda d: d["settings"].update(negation_window=4)),
    ("context", lambda d: d["context"][3].update(scope=4)),
    ("[senses.back]", lambda d: d["senses"]["back"].update(mean=["back pain"])),
])
def test_a_typo_in_a_key_is_an_error_not_a_new_word_group(where: str, change: Any) -> None:
    with pytest.raises(ValueError, match="unknown keys") as error:
        RuleSet.from_dict(_with(change), levels=("emergency", "urgent"))
    assert where in str(error.value)


def test_despite_and_applies_to_must_name_real_things() -> None:
    bad_group = _with(lambda d: d["category"][0]["rule"][0].update(despite={"nothing": ["HISTORICAL"]}))
    with pytest.raises(ValueError, match="does not need"):
        RuleSet.from_dict(bad_group, levels=("emergency", "urgent"))
    bad_cue = _with(lambda d: d["context"][3].update(applies_to=["cauda"]))
    with pytest.raises(ValueError, match="unknown categories"):
        RuleSet.from_dict(bad_cue, levels=("emergency", "urgent"))


def test_shared_word_lists_are_defined_once() -> None:
    """A list used by several rules lives in [words]; no rule repeats a long list inline."""
    seen: dict[tuple[str, ...], str] = {}
    for category in RAW["category"]:
        for rule in category["rule"]:
            for key in ("unless", "except_in", *(f"need.{g}" for g in rule["need"])):
                group = rule["need"][key[5:]] if key.startswith("need.") else rule.get(key)
                if not group or len(group) < 4:
                    continue
                assert tuple(group) not in seen, f"{rule['id']} repeats the list of {seen.get(tuple(group))}"
                seen[tuple(group)] = rule["id"]


def test_context_reach_follows_the_loaded_rules() -> None:
    """A cue class with a longer scope is honoured, not cut by a fixed window."""
    text = "no " + "really " * 30 + "numbness around my bum"
    assert triage([text]).category == "cauda_equina"  # too far for the bundled 4-word negation scope

    def widen(data: dict[str, Any]) -> None:
        negation = next(c for c in data["context"] if c.get("name") == "negation before")
        negation["max_scope"] = 40
    wide = RuleSet.from_dict(_with(widen), levels=("emergency", "urgent"))
    assert wide.context.reach_before > 40
    assert wide.search([text]) is None


def test_a_long_pseudo_phrase_covers_the_cue_at_its_far_end() -> None:
    """How far back a PSEUDO phrase may start comes from the longest one loaded, not a fixed number of words."""
    text = "my back is stiff and to be honest with you there is no numbness around my bum"
    assert triage([text]).level == "none"  # "no" denies the numbness

    def add_pseudo(data: dict[str, Any]) -> None:
        data["context"].append({"name": "a long look-alike of a negation", "category": "NEGATED",
                                "direction": "PSEUDO", "phrases": ["to be honest with you there is no"]})
    pseudo = RuleSet.from_dict(_with(add_pseudo), levels=("emergency", "urgent"))
    assert pseudo.context.pseudo_reach >= 7
    found = pseudo.search([text])
    assert found is not None and found.rule.category == "cauda_equina"


def test_the_clinicians_page_lists_every_category_with_its_wording_and_source() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "red-flags.md").read_text(encoding="utf-8")
    for category in RULES.categories:
        assert f"### `{category.id}` — {category.level}" in page
        assert category.label in page and category.source in page
        for rule in category.rules:
            assert f"`{rule.id}`" in page, rule.id


@pytest.mark.parametrize(("text", "about_the_back"), [
    ("Can you provide something to help grow my hair back?", False),
    ("how do I get back to sleep after a bad dream", False),
    ("we went back and forth about the back door", False),
    ("I've got back pain since Monday", True),
    ("my wife's balance went since her back flared up", True),
    ("balance is shot since me back went", True),
])
def test_a_word_in_a_phrase_that_means_something_else_names_no_back(text: str, about_the_back: bool) -> None:
    """[senses]: "back" in "grow my hair back" is not the body's, so it does not make a question back-pain chat
    (the gate of the learned raise); a `meant` phrase keeps "got back pain" the body's back."""
    assert RULES.mentions([text], "domain") is about_the_back


def test_a_phrase_that_starts_at_a_word_not_meant_does_not_count() -> None:
    """The same reading holds for every phrase: "back ... went" is pain ("my back went"), but not where "back" is
    the "got back" of coming home."""
    assert RULES.mentions(["my back went when I lifted the box"], "pain")
    assert not RULES.mentions(["got back home and went to bed"], "pain")
