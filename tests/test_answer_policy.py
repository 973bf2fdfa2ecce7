"""The answer policy file checks itself: every cue has examples that show it and near misses that do not; typos
are forgiven as triage forgives them, and real words one letter from a cue word are not "corrected" into it."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest

from assistant import Assistant
from assistant.answer_policy import POLICY_FILE, AnswerPolicy, answer_policy
from assistant.conversation import aspect_of, refers_back, resolve_follow_up
from assistant.fuzzy import OneEditIndex
from assistant.records import Chunk
from assistant.retrieve import intended_kinds, list_groups
from assistant.spelling import ENGLISH_FILE

RAW = tomllib.loads(resources.files("assistant").joinpath(POLICY_FILE).read_text(encoding="utf-8"))
POLICY = answer_policy()


def _cases(kind: str) -> list[Any]:
    counts_as = RAW.get("openings", {})
    return [pytest.param(counts_as.get(category.id, category.id), text, id=f"{category.id}: {text[:40]}")
            for category in POLICY.rules.categories for rule in category.rules for text in getattr(rule, kind)]


def test_every_cue_has_examples_and_near_misses() -> None:
    for rule in POLICY.rules.rules:
        assert rule.examples and rule.near_misses, rule.id


@pytest.mark.parametrize(("cue", "text"), _cases("examples"))
def test_example_shows_its_cue(cue: str, text: str) -> None:
    assert cue in POLICY.cues(text)


@pytest.mark.parametrize(("cue", "text"), _cases("near_misses"))
def test_near_miss_does_not_show_its_cue(cue: str, text: str) -> None:
    assert cue not in POLICY.cues(text)


# One misspelling per cue family that the regular expressions these rules replace did not read, each shown through
# the function that acts on it. The right spelling is in the rules; the misspelt word is not.
def test_a_list_request_with_a_typo_still_points_at_the_groups() -> None:
    chunks = (Chunk(chunk_id="g/stretches", doc="d.md", title="Stretches", section="Stretches", kind="group",
                    text="", members=(), cues=("stretches",)),)
    assert list_groups("any exercizes for the mornings?", chunks) == [("g/stretches", 0)]  # plain list
    assert list_groups("wat streches r gud", chunks) == [("g/stretches", 1)]
    assert list_groups("the best singel exersize?", chunks) == []  # one thing, not a list


def test_the_kind_asked_for_survives_a_typo() -> None:
    assert intended_kinds("what precautons should I take?") == {"precaution"}
    assert intended_kinds("does it realy mattr?") == {"info"}


@pytest.mark.parametrize(("question", "aspect"), [
    ("do I swich sides?", "other_side"), ("how many repetitons?", "dose"), ("which musles?", "targets"),
    ("show me the instrutions", "steps"),
])
def test_an_aspect_survives_a_typo(question: str, aspect: str) -> None:
    assert aspect_of(question) == aspect


GROUPS = {
    "g/easy": Chunk(chunk_id="g/easy", doc="d.md", title="Easy", section="Easy", kind="group", text="",
                    members=("g/a", "g/b", "g/c"), cues=("gentle",)),
    "g/hard": Chunk(chunk_id="g/hard", doc="d.md", title="Hard", section="Hard", kind="group", text="",
                    members=(), cues=("harder",)),
}


@pytest.mark.parametrize(("question", "chunk_id"), [
    ("the secnd one", "g/b"), ("the thrid one please", "g/c"), ("not the frist, the last", "g/a"),
    ("the last one", "g/c"), ("a bit gnetler please", "g/easy"), ("something more chalenging", "g/hard"),
    ("too hard, I want something harder on my arms", "g/easy"),
])
def test_places_and_intensity_survive_a_typo_and_the_first_written_place_counts(question: str, chunk_id: str) -> None:
    follow_up = resolve_follow_up(question, GROUPS["g/easy"], GROUPS)
    assert follow_up is not None and follow_up.chunk_id == chunk_id and follow_up.explicit


def test_words_that_lean_back_survive_a_typo() -> None:
    assert refers_back("and thoes ones?")
    assert not refers_back("is there a fee?")  # "there" is a word, not a slip of "these"


def test_why_asks_for_a_reason_only_as_the_first_word() -> None:
    assert intended_kinds("why stretch at all?") == {"info"}
    assert intended_kinds("I don't know why my back is stiff") == set()


def test_every_english_word_one_letter_from_a_cue_word_is_kept_as_written() -> None:
    """The `keep` list is complete for common words: none is read as the cue word it is one letter from."""
    fuzzy = OneEditIndex(RAW["spelling"]["fuzzy"])
    keep, fuzzy_words = set(RAW["spelling"]["keep"]), set(RAW["spelling"]["fuzzy"])
    lexicon = POLICY.rules.lexicon
    path = resources.files("symspellpy").joinpath(ENGLISH_FILE)
    common = [word for word, count in (line.split() for line in path.read_text(encoding="utf-8").splitlines())
              if int(count) >= 30_000 and len(word) >= 5 and word not in fuzzy_words]
    read = lexicon.learn(common, repeats=False)
    corrected = [w for w in common if fuzzy.near(w) and read[w].word != w]
    assert corrected == [], "add these to [spelling].keep"
    assert keep <= set(common), "keep only common English words"


def test_openings_must_name_known_cues() -> None:
    data = copy.deepcopy(RAW)
    data["openings"] = {"info_opening": "inf"}
    with pytest.raises(ValueError, match="unknown categories"):
        AnswerPolicy.from_dict(data)


def test_named_cause_must_have_its_three_lists() -> None:
    data = copy.deepcopy(RAW)
    data["named_cause"]["befor"] = data["named_cause"].pop("before")
    with pytest.raises(ValueError, match=r"\[named_cause\]"):
        AnswerPolicy.from_dict(data)


@pytest.mark.parametrize(("question", "name", "cause"), [
    ("my back hurts from doing deadlifts", "deadlifts", True),
    ("sore after too many planks", "planks", True),
    ("hurt my back doing bridges", "bridges", True),
    ("deadlifts gave me a sore back", "deadlifts", True),
    ("how do i do the bridge", "bridge", False),
    ("can i do the plank after the bridge", "plank", False),
])
def test_an_exercise_is_named_as_the_cause_by_the_words_around_it(question: str, name: str, cause: bool) -> None:
    words = question.split()
    start = words.index(name)
    assert POLICY.named_as_cause(words, start, start + 1) is cause


@pytest.mark.parametrize(("question", "first"), [
    # Named as what hurt, in a question asking for relief: the relief list, not the steps of what hurt.
    ("my back hurts from doing deadlifts, what stretches help?", "relieve/overview"),
    ("deadlifts gave me a sore back, how do I ease it", "relieve/overview"),
    ("hurt my back doing bridges, what should I stretch?", "relieve/overview"),
    # Asked about, even beside pain: its card.
    ("the bridge hurts my back, how do I do it properly?", "strengthen/bridge"),
    ("how do I do the deadlift?", "strengthen/deadlift"),
])
def test_an_exercise_named_as_the_cause_is_not_ranked_as_the_answer(fake_bot: Assistant, question: str,
                                                                     first: str) -> None:
    ranking = fake_bot.retriever.rank(question)
    assert fake_bot.built.chunks[ranking.order[0]].chunk_id == first
