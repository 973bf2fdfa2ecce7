"""The one fuzzy matcher, checked against rapidfuzz's Damerau-Levenshtein distance (a published implementation)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import DamerauLevenshtein

from assistant.fuzzy import OneEditIndex, within_one_edit

# A small alphabet makes near misses (swaps, doubled letters) common enough to test.
word = st.text(alphabet="abcde", min_size=0, max_size=7)


@settings(max_examples=2_000, deadline=None)
@given(word, word)
def test_one_edit_is_a_damerau_levenshtein_distance_of_at_most_one(a: str, b: str):
    assert within_one_edit(a, b) == (DamerauLevenshtein.distance(a, b) <= 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(word, max_size=40), word)
def test_the_index_finds_exactly_the_words_a_scan_finds(vocabulary: list[str], query: str):
    expected = sorted({v for v in vocabulary if DamerauLevenshtein.distance(query, v) <= 1})
    assert OneEditIndex(vocabulary).near(query) == expected


def test_each_kind_of_typo_is_one_edit():
    index = OneEditIndex(["numbness", "bladder", "tingling"])
    for typo in ("numbess", "numbnness", "numbmess", "nubmness", "numbness"):
        assert index.near(typo) == ["numbness"], typo
    assert index.near("blader") == ["bladder"] and index.near("blatter") == []
