"""The learned opinion: the rules' evidence it reads, its training (on a tiny fixture), its file, and the
committed model's match with the data and the encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, FIXTURES
from fakes import HashingEmbedder

from assistant import Assistant
from assistant.embed import MODEL_NAME, bundled_model_path, model_fingerprint
from assistant.triage import red_flags, triage
from assistant.triage.evidence import evidence, evidence_names
from assistant.triage.learned import (
    Judgement,
    LearnedOpinion,
    Model,
    bundled_model,
    emergency_categories,
    feature_names,
    units,
)
from assistant.triage.policy import second_opinion
from assistant.triage.training import data_hash, featurize, load_examples, train

WRITERS = FIXTURES / "triage_writers"


def columns(messages: list[str]) -> set[str]:
    return {name for name, value in zip(evidence_names(red_flags()), evidence(red_flags(), messages), strict=True)
            if value}


def test_evidence_combines_facts_across_messages_and_names_the_cue_that_cancelled_a_sign() -> None:
    assert {"partial.fracture_risk", "fact.bones", "fact.fall"} <= columns(
        ["I have osteoporosis", "slipped on the step, now my back hurts"])
    pet = columns(["my dog has been wetting himself, my back hurts from cleaning"])
    assert {"cancelled.PET", "cue.PET"} <= pet and "partial.cauda_equina" not in pet
    dog = columns(["my dog has weak legs"])
    assert "symptom.PET" in dog and "symptom.affirmed" not in dog


def test_a_messages_evidence_is_worked_out_once_and_cannot_be_changed_by_a_caller() -> None:
    """Asked for as the message and as a one-message conversation on every turn, and again on each later
    turn: kept with the message's reading, so it must be read-only."""
    message = "numb down below since yesterday"
    first = evidence(red_flags(), [message])
    assert evidence(red_flags(), [message]) is first
    assert not first.flags.writeable
    both = evidence(red_flags(), [message, "and my legs are weak"])
    assert both is not first and both.sum() > first.sum()


def test_symptom_words_are_read_with_their_context() -> None:
    negated = columns(["no tingling, peeing fine, just a stiff back"])
    assert "symptom.NEGATED" in negated and "symptom.affirmed" not in negated
    assert "symptom.affirmed" in columns(["my legs are tingling and weak"])
    assert columns(["how do I do the bridge?"]) == set()


def test_a_long_message_is_judged_whole_and_sentence_by_sentence() -> None:
    said = "Can I do the bridge today? I have been peeing myself since my back went. Thanks a lot."
    # "Thanks a lot" is too short to compare with an exemplar.
    assert [u.quote for u in units(said)] == [said, "Can I do the bridge today",
                                              "I have been peeing myself since my back went"]
    assert [u.quote for u in units("my back hurts")] == ["my back hurts"]


@pytest.fixture(scope="module")
def tiny() -> Model:
    return train(WRITERS, HashingEmbedder(), progress=lambda _: None)


def test_training_scores_each_writer_out_of_writer_and_chooses_thresholds_on_those_scores(tiny: Model) -> None:
    assert set(tiny.meta["out_of_writer"]) == {"writer-a", "writer-b", "writer-c"}
    assert set(tiny.meta["thresholds"]) == {"raise", "hold", "hold_symptoms", "emergency", "veto"}
    assert tiny.meta["thresholds"]["hold_symptoms"] <= tiny.meta["thresholds"]["hold"]
    assert tiny.meta["data_sha256"] == data_hash(WRITERS)
    assert tiny.meta["encoder"] == {"name": "test/hashing-embedder", "fingerprint": "hashing-v1"}
    assert tiny.columns == tuple(feature_names())
    assert tiny.meta["trained_on"] == {"writer-a": 7, "writer-b": 7, "writer-c": 7}


def test_training_is_deterministic_and_the_file_holds_plain_arrays(tiny: Model, tmp_path: Path) -> None:
    again = train(WRITERS, HashingEmbedder(), progress=lambda _: None)
    assert np.array_equal(again.weights, tiny.weights) and np.array_equal(again.bias, tiny.bias)
    tiny.save(tmp_path)
    loaded = Model.load(tmp_path)  # np.load(allow_pickle=False): no pickled objects in the file
    rows = featurize(load_examples(WRITERS)[:3], HashingEmbedder().encode)
    for block in rows:
        assert np.allclose(loaded.probabilities(block), tiny.probabilities(block))


def test_the_opinion_serves_only_with_the_encoder_it_was_trained_on(tiny: Model) -> None:
    fake = HashingEmbedder()
    assert LearnedOpinion.for_encoder(fake, fake.encode) is None  # the bundled model is MiniLM's


def test_the_committed_model_was_trained_on_the_committed_data_and_encoder() -> None:
    model = bundled_model()
    assert model is not None, "no assistant/red_flag_model.json: run `python -m assistant train-triage`"
    assert model.meta["data_sha256"] == data_hash(DATA), (
        "the training sets, rules or exemplars changed since the model was trained: "
        "run `python -m assistant train-triage` and commit assistant/red_flag_model.*")
    assert model.meta["encoder"] == {"name": MODEL_NAME, "fingerprint": model_fingerprint(bundled_model_path())}
    assert model.columns == tuple(feature_names())


@pytest.mark.model
def test_the_committed_model_reproduces_its_probe_scores(bot: Assistant) -> None:
    model = bundled_model()
    assert model is not None and bot.opinion is not None
    for probe in model.meta["probes"]:
        rows, _, _ = bot.opinion.features.rows(probe["messages"])
        assert model.score(rows) == pytest.approx(probe["score"], abs=1e-4), probe["messages"]


class StubOpinion:
    """An opinion that is sure there is no red flag, and saw a cue of someone else: what may it veto?"""

    thresholds = {"raise": 0.5, "hold": 0.3, "hold_symptoms": 0.1, "emergency": 0.8, "veto": 0.2}

    def __init__(self, score: float, cues: frozenset[str], category: str = "major_trauma",
                 symptoms: bool = False, emergency: tuple[float, str] | None = None) -> None:
        # By default all of the score is the top category's: an emergency's when that category is one.
        if emergency is None:
            emergency = (score, category) if category in emergency_categories() else (0.0, "")
        self.judged = Judgement(score, category, score, "quote", "exemplar", cues, symptoms,
                                emergency[0], emergency[1] or None)

    def judge(self, messages: list[str]) -> Judgement:
        return self.judged


def test_the_veto_needs_a_context_cue_and_a_confident_opinion_and_never_touches_cauda_equina_or_neuro() -> None:
    trauma = ["I fell off a ladder and landed on my back"]
    sure = StubOpinion(0.01, frozenset({"HISTORICAL"}))
    vetoed = triage(trauma, sure)
    assert (vetoed.level, vetoed.source, vetoed.category, vetoed.rule) == ("none", "veto", "major_trauma",
                                                                           "serious_accident")
    assert triage(trauma, StubOpinion(0.01, frozenset({"NEGATED"}))).level == "emergency"  # not a veto cue
    assert triage(trauma, StubOpinion(0.5, frozenset({"HISTORICAL"}))).level == "emergency"  # not sure enough
    for own in (["I can't feel the toilet paper when I wipe"], ["both my legs have gone numb"]):
        assert triage(own, sure).level == "emergency" and triage(own, sure).source == "rules"


def test_the_raise_is_urgent_and_emergency_only_when_more_confident() -> None:
    silent = ["since my back went the seat feels like it is not there under me"]
    assert triage(silent).level == "none"
    # It raises only in back-pain chat ([words].domain): general health questions are not what it was trained on.
    # Outside it, an emergency category at `emergency` or more is held (no alarm, no steps), never raised.
    outside = ["the seat feels like it is not there under me"]
    held_outside = second_opinion(outside, StubOpinion(0.9, frozenset()))
    assert (held_outside.level, held_outside.source, held_outside.category) == ("none", "hold", "major_trauma")
    assert second_opinion(outside, StubOpinion(0.7, frozenset())).source is None  # under `emergency`
    assert second_opinion(outside, StubOpinion(0.9, frozenset(), "malignancy")).source is None  # not an emergency
    assert second_opinion(silent, StubOpinion(0.6, frozenset())).level == "urgent"
    raised = second_opinion(silent, StubOpinion(0.9, frozenset()))
    assert (raised.level, raised.category, raised.source, raised.evidence) == ("emergency", "major_trauma",
                                                                               "learned", "quote")
    # Below the raise, an emergency category from `hold` up is held (no alarm, no steps); other categories are not.
    held = second_opinion(silent, StubOpinion(0.4, frozenset()))
    assert (held.level, held.source, held.category, held.evidence) == ("none", "hold", "major_trauma", "quote")
    assert second_opinion(silent, StubOpinion(0.2, frozenset())).source is None
    # With symptoms of the user's own, from the lower `hold_symptoms`.
    assert second_opinion(silent, StubOpinion(0.2, frozenset(), symptoms=True)).source == "hold"
    assert second_opinion(silent, StubOpinion(0.05, frozenset(), symptoms=True)).source is None
    assert second_opinion(silent, StubOpinion(0.4, frozenset(), "malignancy")).source is None
    assert second_opinion(silent, StubOpinion(0.6, frozenset(), "malignancy")).category == "malignancy"


def test_an_emergency_split_across_categories_or_behind_an_urgent_one_is_held() -> None:
    """The hold reads the emergency categories together: a message read first as an urgent category, whose
    emergency categories still add up to `hold`, keeps its steps back under the likeliest emergency one."""
    silent = ["since my back went the seat feels like it is not there under me"]
    split = StubOpinion(0.45, frozenset(), "fracture_risk", emergency=(0.32, "cauda_equina"))
    held = second_opinion(silent, split)
    assert (held.level, held.source, held.category, held.score) == ("none", "hold", "cauda_equina", 0.32)
    assert second_opinion(silent, StubOpinion(0.45, frozenset(), "fracture_risk",
                                              emergency=(0.2, "cauda_equina"))).source is None
    # Above the raise, the top category still decides the alarm's level and category.
    raised = second_opinion(silent, StubOpinion(0.6, frozenset(), "fracture_risk", emergency=(0.35, "aortic")))
    assert (raised.level, raised.category, raised.source) == ("urgent", "fracture_risk", "learned")


def test_a_held_conversation_gets_no_exercise_steps_and_no_alarm(fake_bot: Assistant) -> None:
    question = "since my back went the seat feels like it is not there under me, how do I do the bridge?"
    assert fake_bot.ask(question).sources  # the opinion off: an answer from the article, with its steps
    fake_bot.opinion = StubOpinion(0.4, frozenset(), "cauda_equina")  # type: ignore[assignment]
    answer = fake_bot.ask(question)
    assert (answer.kind, answer.category, answer.sources) == ("answer", "steps_held", [])
    assert "left out the exercise steps" in answer.text and "(“quote”)" in answer.text
    assert "- numbness around your bottom or genitals" in answer.text
    # Not for a score under `hold`, nor for a category that is not an emergency.
    for opinion in (StubOpinion(0.2, frozenset(), "cauda_equina"), StubOpinion(0.4, frozenset(), "malignancy")):
        fake_bot.opinion = opinion  # type: ignore[assignment]
        assert fake_bot.ask(question).sources and fake_bot.ask(question).category != "steps_held"


@pytest.mark.model
def test_a_plain_exercise_question_is_never_held(bot: Assistant) -> None:
    for question in ("how do I do the bridge?", "how many reps of the cat-cow should I do?"):
        answer = bot.ask(question)
        assert answer.kind == "answer" and answer.category != "steps_held" and answer.sources
