"""The scope model: trained at build, stored as plain JSON, served with numpy alone, fast, and never trained
on the questions it is reported on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA

from assistant import Assistant, IndexCorruptError, Settings
from assistant.answer_policy import asks, asks_what_it_is
from assistant.linear import Softmax, folded
from assistant.manifest import read_manifest
from assistant.real_questions import TRAINING_DIR, is_training
from assistant.scope import check_scope
from assistant.scope_model import ScopeModel, act_strength, feature_names, signals
from assistant.scope_train import (
    ACT_FALSE_RATE,
    IN_SCOPE_LOSS,
    REFUSAL_FALSE_RATE,
    TrainingData,
    _need_label,
    without_writer,
)
from assistant.scope_writers import Labelled


def test_folded_weights_give_the_fitted_pipelines_probabilities():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    rows = rng.normal(3.0, [1.0, 10.0, 0.1], size=(200, 3))
    labels = (rows @ np.array([1.0, -0.1, 5.0]) + rng.normal(0, 1, 200) > 14).astype(int)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(rows, labels)
    weights, bias = folded(pipeline)
    model = ScopeModel(("a", "b", "c"), weights[0], float(bias[0]), 0.5, {})
    ours = np.array([model.probability(row) for row in rows])
    assert np.allclose(ours, pipeline.predict_proba(rows)[:, 1], atol=1e-9)


def test_the_model_is_plain_json_in_the_manifest_with_its_threshold(fake_bot: Assistant):
    settings = fake_bot.settings
    manifest = read_manifest(settings.index_dir)
    assert "scope-model.json" in manifest.files
    stored = json.loads((settings.index_dir / manifest.data / "scope-model.json").read_text())
    gate = stored["gate"]
    assert gate["features"] == list(feature_names(384))
    assert len(gate["weights"]) == len(gate["features"]) and 0 < gate["threshold"] < 1
    report = gate["report"]
    # The threshold is chosen on writers the gate was not trained with, for the in-scope loss.
    assert report["gate"]["out_of_writer_in_scope_lost"] <= IN_SCOPE_LOSS
    assert report["gate"]["trained_on"] > 1000 and len(report["writers"]) >= 6
    assert set(stored) == {"gate", "prior", "needs", "small_talk", "refusal", "act"}
    # The learned refusal takes at most its share of the questions about the article, out of writer.
    assert report["refusal"]["out_of_writer_false"] <= REFUSAL_FALSE_RATE
    assert set(stored["refusal"]["classes"]) >= {"none", "diagnosis", "other_body_part", "off_topic"}
    # The act refuses whatever the question names, so it takes a smaller share still; its classes are acts.
    assert report["act"]["out_of_writer_false"] <= ACT_FALSE_RATE
    assert set(stored["act"]["classes"]) == {"none", "diagnosis", "instructions"}


def test_a_diagnosis_act_counts_only_in_a_message_that_asks():
    """The act model is blind to negation, so a statement ruling symptoms out must not feed the gate its
    diagnosis chance; addressing the rules counts whether or not the message asks."""
    model = Softmax(("diagnosis", "instructions", "none"), np.eye(3), np.zeros(3))
    vectors = np.array([[5.0, 0.0, 0.0], [5.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 5.0, 0.0]])
    strength = act_strength(model, vectors, np.array([True, False, True, False]))
    chances = model.probabilities(vectors)
    assert strength == pytest.approx([chances[0, 0] + chances[0, 1], chances[1, 1], chances[2, 0] + chances[2, 1],
                                      chances[3, 1]])
    assert strength[0] > 0.9 > 0.1 > strength[1]
    assert min(strength[2], strength[3]) > 0.9


@pytest.mark.parametrize(("message", "asks_something"), [
    ("no numbness down below and peeing is normal, just a stiff back", False),
    ("never had sciatica, no leg pain, back just tight from sitting", False),
    ("felt a pop during bridges did I tear something", True),
    ("is this a slipped disc", True),
    ("my back clicks when I bend?", True),
])
def test_a_message_asks_by_a_question_mark_or_a_question_word(message: str, asks_something: bool):
    assert asks(message) is asks_something


@pytest.mark.model
def test_a_statement_ruling_symptoms_out_is_not_refused_as_a_diagnosis_request(bot: Assistant):
    statement = "never had sciatica, no leg pain, back just tight from sitting"
    assert bot.learned.act.detect(bot.vectors.one(statement)) == "diagnosis"  # what the guard is for
    assert bot.ask(statement).kind == "answer"
    question = bot.ask("felt a pop during bridges, did I tear something?")
    assert question.kind == "out_of_scope"
    assert question.text == bot.ask("is this a slipped disc?").text


@pytest.mark.model
def test_a_question_that_rules_signs_out_is_answered_from_the_article_under_the_warning_signs(bot: Assistant):
    """Read whole, the signs it rules out made it read like a diagnosis request to the act model (stop 19's
    models); the models read it without those clauses, triage reads every word."""
    question = "no numbness, no tingling, bladder fine, just a sore lower back after gardening, what helps?"
    answer = bot.ask(question)
    assert answer.kind == "answer" and answer.sources
    assert answer.text.startswith("**Get help first if you have:**")
    said = bot.ask("numbness down there, tingling, can't control my bladder, sore lower back, what helps?")
    assert said.kind == "emergency" and said.category == "cauda_equina"


@pytest.mark.parametrize(("message", "may_ask_for_a_label"), [
    ("felt a pop during bridges, did I tear something?", True),
    ("my back clicks when I bend, what is going on?", True),
    ("the plank hurts my back, anything instead?", False),
    ("my lower back aches after gardening, what can I do to ease it?", False),
    ("no numbness down below and peeing is normal, just a stiff back", False),
    ("something I can do when I get out of bed stiff?", False),
    ("is there anything to settle it?", False),
])
def test_a_request_for_what_eases_it_asks_for_no_label(message: str, may_ask_for_a_label: bool):
    assert asks_what_it_is(message) is may_ask_for_a_label


@pytest.mark.parametrize(("message", "asks_for_a_product"), [
    ("which mattress is best for a bad back?", True),
    ("what pillow should i get for back pain", True),
    ("where can i buy a foam roller", True),
    ("is there a shop that sells back braces near the clinic", True),
    ("can i do the pelvic tilt sat in my office chair?", False),
    ("my pillow is lumpy and my back is stiff, what stretches help", False),
    ("carried the weekly food shop home and my back aches, what helps?", False),
    ("how much one physio session cost", True),
    ("can i claim my physio costs back on tax", True),
    ("what does an assessment cost?", True),
    ("physio is costing me a fortune so what exercises help at home", False),
    ("best kneeling pad for gardening", True),
    ("do you run a back care class I can sign up for", True),
    ("my knee pad slipped during child's pose, how do I do it properly", False),
    ("is there a class in the article on stretches?", False),
    ("will sticking with it actually pay off long term?", False), ("how much do i pay for a session", True),
])
def test_a_product_named_is_a_service_request_only_when_asked_for(message: str, asks_for_a_product: bool):
    """A product or a price in the user's story ("sat in my office chair", "physio is costing me a fortune") is no
    request for one: the service rule is final, so a story that named one was refused whatever it asked."""
    assert signals(message)["service"] is asks_for_a_product


@pytest.mark.model
def test_an_exercise_that_hurts_with_a_request_for_another_is_answered_not_refused(bot: Assistant):
    answer = bot.ask("the plank hurts my back, anything instead?")
    assert answer.kind == "answer" and answer.sources


@pytest.mark.model
@pytest.mark.parametrize(("question", "chunk_id"), [("prayer stretch - how do i do it", "relieve/childs-pose"),
                                                    ("and the bird dog?", "faq/bird-dogs")])
def test_a_question_that_is_only_an_exercises_name_is_answered_whatever_the_gate(bot: Assistant, question: str,
                                                                                chunk_id: str):
    answer = bot.ask(question)
    assert answer.kind == "answer" and answer.sources[0].chunk_id == chunk_id
    assert bot._names_only(question, bot.retriever.rank(question))
    # One other content word leaves the decision to the gate.
    assert not bot._names_only("superman films", bot.retriever.rank("superman films"))


def test_a_model_for_other_features_is_refused():
    with pytest.raises(ValueError, match="other features"):
        ScopeModel.from_dict({"features": ["x"], "weights": [1.0], "bias": 0, "threshold": 0.5},
                             feature_names(384))


def test_a_tampered_model_is_corruption(fake_bot: Assistant):
    settings = fake_bot.settings
    path = settings.index_dir / read_manifest(settings.index_dir).data / "scope-model.json"
    path.write_text(path.read_text().replace('"threshold": ', '"threshold": 0.0001, "was": '))
    with pytest.raises(IndexCorruptError, match="scope-model.json"):
        Assistant.load(settings, embedder=fake_bot.embedder)


def test_serving_imports_no_scikit_learn(fake_bot: Assistant):
    settings: Settings = fake_bot.settings
    code = ("import sys; sys.path.insert(0, 'tests'); from fakes import HashingEmbedder; "
            "from assistant import Assistant, Settings; "
            f"s = Settings().updated({{'corpus_dir': {str(settings.corpus_dir)!r}, "
            f"'index_dir': {str(settings.index_dir)!r}}}); "
            "bot = Assistant.load(s, embedder=HashingEmbedder()); bot.ask('how do i do the bridge'); "
            "bot.ask('what is the capital of france'); print(any(m.startswith('sklearn') for m in sys.modules))")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert out.stdout.strip() == "False", out.stderr


def test_the_gate_adds_well_under_half_a_millisecond(fake_bot: Assistant):
    """Signals, coverage, features and the dot product, the learned refusal and the check for another
    language: what the learned gate adds to ask()."""
    questions = ["how do i do the bridge", "what is the capital of france", "my neck is stiff, any stretches",
                 "wat streches r gud 4 my lowr bak", "how many days a week should i do these"]
    prepared = [(q, fake_bot.retriever.rank(q), check_scope(q)) for q in questions]
    best = float("inf")
    for _ in range(30):
        started = time.perf_counter()
        for q, ranking, scope in prepared:
            fake_bot.learned.gate.in_scope(fake_bot._gate_row(f"{q} ", ranking, scope, signals(f"{q} ")))
            fake_bot.learned.refusal.detect(fake_bot.vectors.one(q))
            fake_bot.learned.act.detect(fake_bot.vectors.one(q))
            fake_bot.languages.unsure(f"{q} ", q)
        best = min(best, (time.perf_counter() - started) / len(prepared))
    print(f"\nscope gate: {best * 1000:.3f} ms per question (best of 30)")
    assert best < 0.0005


def _lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_reported_real_questions_are_never_trained_on():
    consumer = json.loads((DATA / "real" / "consumer-test.json").read_text())
    medquad = json.loads((DATA / "real" / "medquad-test.json").read_text())
    trained = set(_lines(TRAINING_DIR / "consumer-train.txt")) | set(_lines(TRAINING_DIR / "medquad-train.txt"))
    assert len(consumer) > 150 and len(medquad) >= 400
    assert not any(is_training(q["text"]) for q in consumer + medquad)
    assert all(is_training(q) for q in trained)
    assert trained.isdisjoint(q["text"] for q in consumer + medquad)


def test_blind_sets_are_not_in_the_training_files():
    """Neither the first scope writers' sets (tables of question kinds) nor the red-flag sets (lists of messages)
    in blind/ (the other-language set, a table of its own, is checked with the red-flag sets' messages). The
    later writers in blind/scope-train/ are trained on, and left out with every row of the same words when
    they are scored (see the next test)."""
    written = {line.lower() for name in ("in_scope.txt", "out_of_scope.txt") for line in _lines(TRAINING_DIR / name)}
    blind = [json.loads(p.read_text()) for p in (DATA / "blind").glob("*.json")]
    scope_sets = [b for b in blind if isinstance(b, dict) and "in_scope" in b]
    red_flag_sets = [b for b in blind if isinstance(b, list)]
    red_flag_sets += [[*b["other_language"], *b["english"]] for b in blind if isinstance(b, dict) and "english" in b]
    assert len(scope_sets) >= 2 and len(red_flag_sets) >= 2
    questions = {item["q"].lower() for b in scope_sets
                 for key in ("in_scope", "not_covered", "out_of_scope", "small_talk") for item in b[key]}
    messages = {m.lower() for b in red_flag_sets for item in b for m in item.get("messages") or [item["text"]]}
    assert written.isdisjoint(questions)
    assert written.isdisjoint(messages)


def test_a_writer_left_out_takes_every_row_with_the_same_words_with_it():
    """A generic question written into a training file and by a writer is not trained on when that writer is
    scored, so out-of-writer figures are not flattered by coincidence."""
    texts = ("Should I stop if it hurts?", "how do i do the bridge", "should i stop if it hurts", "bye", "bye")
    data = TrainingData(texts=texts, gate_rows=np.zeros((5, 1)), vectors=np.zeros((5, 1)),
                        gate=np.array([1, 1, 1, 0, 0]), writer=np.array(["", "", "st1", "st2", "st1"]),
                        labelled=(), rule_need=(False,) * 5, rule_chat=(False,) * 5, words=np.ones(5),
                        asks=np.ones(5, bool), views=(), view_vectors=np.zeros((0, 1)))
    assert without_writer(data, "st1").tolist() == [False, True, False, False, False]
    assert without_writer(data, "st2").tolist() == [True, True, True, False, False]


def test_the_packaged_writers_copy_matches_the_blind_sets():
    """The installed package trains from `scope_training/writers.json`: it must be what the writers wrote
    (regenerate with `python -m assistant.scope_writers`)."""
    from assistant.scope_writers import collect, writers_data

    assert writers_data() == collect()["writers"]
    assert {"sc1", "sc2", "st1", "st2", "st3", "st4"} <= set(writers_data())


@pytest.mark.parametrize(("text", "turn", "label"), [
    ("what about childs pose", 0, "pregnancy"),  # asked alone, a writer's label is the question's own
    ("what about childs pose", 1, None),  # a later turn: the pregnancy was named earlier, not here
    ("im pregnant does that change anything", 1, "pregnancy"),
    ("how often should i do them", 1, "frequency"),  # not a group: the turn's label is its own
])
def test_a_later_turns_group_is_learned_only_where_the_turn_names_it(text: str, turn: int, label: str | None) -> None:
    item = Labelled("w", text, "not_covered", detail="pregnancy" if label is None else label, turn=turn)
    assert _need_label(item) == label
