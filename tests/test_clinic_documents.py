"""A clinic's own document is first-class: the README's example, added as the README says, answers the
README's example questions from its own headings, with no corrections file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, ROOT
from fakes import HashingEmbedder

from assistant import Assistant, Settings
from assistant.assistant import default_embedder
from assistant.corpus import load_corpus
from assistant.evaluate import on_target
from assistant.index import build_index
from assistant.onnx_encoder import OnnxEmbedder
from assistant.settings import DEFAULT_FOOTER

TWIST = "desk-stretches/seated-stretches/seated-twist"
FOLD = "desk-stretches/seated-stretches/seated-forward-fold"
GROUP = "desk-stretches/seated-stretches/overview"
# Labelled questions about the bundled article that may go to the added document instead (see the test).
MOVED_TO_THE_NEW_DOCUMENT = 2
# The README's own example questions, and the chunk each must be answered from.
QUESTIONS = [
    ("how do I do the seated twist?", TWIST),
    ("how do I do the seated forward fold?", FOLD),
    ("what seated stretches are there?", GROUP),
    ("show me the seated stretches", GROUP),
    ("what stretches can I do at my desk?", GROUP),
]


def readme_example() -> str:
    """The Markdown document the README tells a clinic to add, exactly as the README shows it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```markdown\n(.*?)```", readme, re.DOTALL)
    assert block is not None, "the README shows an example document"
    return "\n".join(line.strip() for line in block.group(1).splitlines()) + "\n"


@pytest.fixture
def desk_settings(tmp_path: Path) -> Settings:
    """The bundled corpus plus the README's example, in folders of their own."""
    corpus = tmp_path / "desk-corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "desk-stretches.md").write_text(readme_example(), encoding="utf-8")
    return Settings().updated({"corpus_dir": corpus, "index_dir": tmp_path / "desk-index"})


@pytest.fixture
def desk_bot(desk_settings: Settings) -> Assistant:
    return Assistant.load(desk_settings, embedder=HashingEmbedder())


def test_the_example_has_the_headings_the_readme_promises(desk_settings: Settings):
    chunks = {c.chunk_id: c for c in load_corpus(desk_settings.corpus_dir).chunks}
    assert chunks[GROUP].members == (TWIST, FOLD)
    assert chunks[TWIST].steps[0] == "Sit tall with both feet flat on the floor."
    assert {"seated", "stretches", "desk"} <= set(chunks[GROUP].cues), "and pointed at by its and its title's words"


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_the_readmes_questions_are_answered_from_the_added_document(desk_bot: Assistant, question: str,
                                                                    expected: str):
    answer = desk_bot.ask(question)
    assert answer.kind == "answer" and answer.sources[0].chunk_id == expected, answer.text


def test_a_group_is_named_by_its_heading(desk_bot: Assistant):
    assert desk_bot.retriever.rank("show me the seated stretches").named == (GROUP,)


def test_a_list_of_the_seated_stretches_shows_both_and_names_the_document(desk_bot: Assistant):
    text = desk_bot.ask("what seated stretches are there?").text
    assert "1. **Seated Twist**" in text and "2. **Seated Forward Fold**" in text
    assert "*Source: Desk Break Stretches › Seated Stretches*" in text


def test_source_lines_name_the_document_when_there_are_several(desk_bot: Assistant, fake_bot: Assistant):
    bridge = "*Source: Lower Back Exercises : Strengthen and Relieve › Exercises For Strengthening Lower Back › Bridge*"
    assert bridge in desk_bot.ask("how do I do the bridge?").text
    assert "*Source: Exercises For Strengthening Lower Back › Bridge*" in fake_bot.ask("how do I do the bridge?").text


def test_a_follow_up_after_the_added_documents_card_stays_on_it(desk_bot: Assistant):
    first = "how do I do the seated twist?"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": desk_bot.ask(first).text}]
    answer = desk_bot.ask("how long do I hold it?", history)
    assert answer.sources[0].chunk_id == TWIST and "hold for 10 seconds" in answer.text


@pytest.mark.parametrize("message", ["hello", "who are you?", "what is the capital of France?", "what can you do?"])
def test_fixed_wording_speaks_of_the_articles(desk_bot: Assistant, fake_bot: Assistant, message: str):
    several, one = desk_bot.ask(message), fake_bot.ask(message)
    assert "one article" not in several.text
    assert several.text != one.text or "article" not in one.text
    assert several.footer == "This is general exercise information from the articles, not medical advice. " \
                              "Talk to a doctor or physiotherapist before you start, and stop if anything hurts."
    assert one.footer == DEFAULT_FOOTER


def test_a_clinics_own_footer_is_kept_as_written(desk_settings: Settings):
    own = "Riverside Physio: general information only."
    bot = Assistant.load(desk_settings.updated({"footer": own}), embedder=HashingEmbedder())
    assert bot.ask("how do I do the seated twist?").text.endswith(own)


@pytest.mark.model
def test_with_the_real_model_the_scope_gate_lets_the_new_documents_questions_through(desk_settings: Settings):
    """The scope model is trained at build from the corpus's own headings and steps (scope_train.py), so a
    new document's questions are in scope without new labels. Built in memory with the shipped ONNX encoder
    (no torch)."""
    shipped = default_embedder(Settings())
    assert isinstance(shipped, OnnxEmbedder), "make index exports the encoder"
    bot = Assistant(build_index(load_corpus(desk_settings.corpus_dir), shipped), shipped, desk_settings)
    for question, expected in QUESTIONS:
        answer = bot.ask(question)
        assert answer.kind == "answer" and answer.sources[0].chunk_id == expected, (question, answer.text)
    # The bundled article's labelled questions keep their answers with the desk document beside it, but for a
    # few that may now fairly go to it: "list the stretches pls" lists the desk's too, and a new document shifts
    # BM25's word weights (measured: 120 of 126 on target alone, 119 with the desk document).
    labelled = json.loads((DATA / "questions.json").read_text(encoding="utf-8"))
    alone = Assistant.load()
    hits = sum(on_target(bot.ask(item["q"]), item["expect"]) for item in labelled)
    hits_alone = sum(on_target(alone.ask(item["q"]), item["expect"]) for item in labelled)
    assert hits >= hits_alone - MOVED_TO_THE_NEW_DOCUMENT
