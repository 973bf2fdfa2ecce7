"""Ranking part by part: reciprocal rank fusion, the name, group and intent boosts, and cue counting,
on a handful of hand-made chunks."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import HashingEmbedder

from assistant.index import BuiltIndex, embedding_text, vector_index
from assistant.manifest import Manifest
from assistant.records import Chunk
from assistant.retrieve import (
    BM25_WEIGHT,
    GROUP_BOOST,
    GROUP_CUE_STEP,
    INTENT_BOOST,
    NAME_BOOST,
    NAME_ORDER_STEP,
    RRF_K,
    Retriever,
    cue_count,
)

CHUNKS = (
    Chunk(chunk_id="moves/overview", doc="d.md", title="Gentle Moves", section="Gentle Moves", kind="group",
          text="", members=("moves/bridge", "moves/plank"), cues=("gentle", "stretch", "stretches")),
    Chunk(chunk_id="moves/bridge", doc="d.md", title="Bridge", section="Gentle Moves", kind="exercise",
          text="Lie on your back and lift your hips.", aliases=("bridge", "glute bridge")),
    Chunk(chunk_id="moves/plank", doc="d.md", title="Plank", section="Gentle Moves", kind="exercise",
          text="Hold your body straight on your forearms.", aliases=("plank", "planks")),
    Chunk(chunk_id="seated/overview", doc="d.md", title="Seated Stretches", section="Seated Stretches", kind="group",
          text="", members=("seated/twist",), cues=("seated", "stretches")),
    Chunk(chunk_id="seated/twist", doc="d.md", title="Seated Twist", section="Seated Stretches", kind="exercise",
          text="Sit tall and turn to the right.", aliases=("seated twist",)),
    Chunk(chunk_id="tips/safe", doc="d.md", title="Stay Safe", section="Tips", kind="precaution",
          text="Stop if anything hurts and start slowly."),
)


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    embedder = HashingEmbedder()
    titles = {c.chunk_id: c.title for c in CHUNKS}
    vectors = embedder.encode([embedding_text(c, titles) for c in CHUNKS])
    index = vector_index(vectors)[0]
    built = BuiltIndex(chunks=CHUNKS, vectors=index, owners=np.arange(len(CHUNKS)), manifest=Manifest())
    return Retriever(built, lambda text: embedder.encode([text])[0])


def position(chunk_id: str) -> int:
    return next(i for i, c in enumerate(CHUNKS) if c.chunk_id == chunk_id)


def test_fusion_adds_each_methods_reciprocal_rank():
    dense = np.array([0.9, 0.5, 0.1])
    lexical = np.array([0.0, 2.0, 1.0])
    fused = Retriever._rrf(dense, lexical)
    expected = [1 / (RRF_K + 1),
                1 / (RRF_K + 2) + BM25_WEIGHT / (RRF_K + 1),
                1 / (RRF_K + 3) + BM25_WEIGHT / (RRF_K + 2)]
    np.testing.assert_allclose(fused, expected)


def test_a_chunk_bm25_does_not_match_gets_no_lexical_vote():
    fused = Retriever._rrf(np.array([0.2, 0.1]), np.zeros(2))
    np.testing.assert_allclose(fused, [1 / (RRF_K + 1), 1 / (RRF_K + 2)])


def test_equal_scores_keep_their_order_in_fusion():
    fused = Retriever._rrf(np.array([0.5, 0.5, 0.5]), np.zeros(3))
    assert fused[0] > fused[1] > fused[2]


def test_a_named_chunk_ranks_first_and_earlier_names_above_later_ones(retriever: Retriever):
    plain = retriever.rank("plank or glute bridge", method="dense").scores
    ranking = retriever.rank("plank or glute bridge")
    assert ranking.named == ("moves/plank", "moves/bridge")
    assert ranking.order[:2] == [position("moves/plank"), position("moves/bridge")]
    fused = retriever._rrf(plain, ranking.lexical)
    assert ranking.scores[position("moves/plank")] == pytest.approx(fused[position("moves/plank")] + NAME_BOOST)
    assert ranking.scores[position("moves/bridge")] == pytest.approx(
        fused[position("moves/bridge")] + NAME_BOOST - NAME_ORDER_STEP)


def test_a_list_request_boosts_the_group_whose_cues_match_more_of_its_words(retriever: Retriever):
    ranking = retriever.rank("what gentle stretches are there?")
    assert ranking.named == () and ranking.groups == ("moves/overview", "seated/overview")
    fused = retriever._rrf(ranking.dense, ranking.lexical)
    seated, moves = position("seated/overview"), position("moves/overview")
    assert ranking.scores[moves] == pytest.approx(fused[moves] + GROUP_BOOST + 2 * GROUP_CUE_STEP)
    assert ranking.scores[seated] == pytest.approx(fused[seated] + GROUP_BOOST + GROUP_CUE_STEP)
    assert ranking.order[0] == moves


def test_a_group_is_named_by_its_heading_and_then_gets_the_name_boost(retriever: Retriever):
    ranking = retriever.rank("what seated stretches are there?")
    assert ranking.named == ("seated/overview",) and ranking.order[0] == position("seated/overview")


def test_a_question_that_names_a_chunk_boosts_no_group(retriever: Retriever):
    ranking = retriever.rank("what stretches are like the seated twist?")
    assert ranking.named == ("seated/twist",) and ranking.groups == ()


def test_the_intent_boost_goes_to_chunks_of_the_asked_kind(retriever: Retriever):
    ranking = retriever.rank("is it safe?")
    fused = retriever._rrf(ranking.dense, ranking.lexical)
    assert "precaution" in ranking.intents
    safe = position("tips/safe")
    assert ranking.scores[safe] == pytest.approx(fused[safe] + INTENT_BOOST)
    assert ranking.scores[position("moves/bridge")] == pytest.approx(fused[position("moves/bridge")])


def test_boosts_are_hybrid_only(retriever: Retriever):
    ranking = retriever.rank("glute bridge", method="bm25")
    np.testing.assert_allclose(ranking.scores, ranking.lexical)


@pytest.mark.parametrize(("question", "cues", "count"), [
    ("what stretches help", ("stretch", "stretches", "stretching"), 1),
    ("seated stretches please", ("seated", "stretches"), 2),
    ("i have a bad back", ("bad back", "back"), 2),
    ("gentel stretchs", ("gentle", "stretches"), 2),
    ("hold the bridge", ("seated", "stretches"), 0),
])
def test_cues_count_the_question_words_they_match(question: str, cues: tuple[str, ...], count: int):
    assert cue_count(question.split(), cues) == count
