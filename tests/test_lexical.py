"""BM25 and its tokenizer, part by part, and scored against bm25s (a published implementation)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import CORPUS, DATA

from assistant.corpus import load_corpus
from assistant.index import embedding_text
from assistant.lexical import BM25
from assistant.text import stem, tokenize


@pytest.mark.parametrize(("word", "stemmed"), [
    ("stretches", "stretch"), ("stretching", "stretch"), ("stretch", "stretch"), ("bodies", "body"),
    ("lifted", "lift"), ("arms", "arm"), ("press", "press"), ("bus", "bus"), ("legs", "leg"),
])
def test_the_stemmer_only_meets_plurals_and_common_endings(word: str, stemmed: str):
    assert stem(word) == stemmed


def test_tokens_drop_function_words_and_apostrophes():
    assert tokenize("Is the BEST stretch for my lower back?") == ["best", "stretch", "lower", "back"]
    assert tokenize("child's pose") == tokenize("childs pose") == ["child", "pose"]
    assert tokenize("Don't I have to hold it?") == ["hold"]


def test_a_term_no_document_holds_scores_nothing():
    assert not BM25(["lie on your back", "hold the bridge"]).scores("zebra crossing").any()


def test_more_occurrences_score_higher_and_longer_documents_lower():
    scores = BM25(["bridge bridge hold", "bridge hold", "bridge hold with many more words in this document",
                   "knees"]).scores("bridge")
    assert scores[0] > scores[1] > scores[2] > 0 and scores[3] == 0


def test_a_rarer_word_weighs_more():
    model = BM25(["bridge legs", "bridge", "bridge", "legs plank"])
    assert model.idf["plank"] > model.idf["leg"] > model.idf["bridge"] > 0


def test_the_same_word_twice_in_a_question_counts_once():
    model = BM25(["hold the bridge", "plank"])
    assert model.scores("bridge bridge").tolist() == model.scores("bridge").tolist()


def test_scores_match_bm25s_on_the_bundled_corpus_and_the_labelled_questions():
    """bm25s's "lucene" variant is the same Okapi BM25 (idf log(1 + (N - n + 0.5) / (n + 0.5))) without the
    constant factor (k1 + 1) in the numerator, which changes no ranking; the tokens are ours for both."""
    import bm25s

    chunks = load_corpus(CORPUS).chunks
    titles = {c.chunk_id: c.title for c in chunks}
    documents = [embedding_text(c, titles) for c in chunks]
    ours = BM25(documents, k1=1.5, b=0.75)
    reference = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    reference.index([tokenize(d) for d in documents], show_progress=False)
    questions = [item["q"] for item in json.loads((DATA / "questions.json").read_text(encoding="utf-8"))]
    compared = 0
    for question in questions:
        tokens = list(dict.fromkeys(t for t in tokenize(question) if t in ours.postings))
        if not tokens:
            continue
        expected = reference.get_scores(tokens) * (1.5 + 1)
        np.testing.assert_allclose(ours.scores(question), expected, rtol=1e-5, atol=1e-6, err_msg=question)
        compared += 1
    assert compared > 100, "most labelled questions share words with the article"
