"""Above a size threshold the index is an HNSW graph, recorded in the manifest and as good as exact search."""

from __future__ import annotations

import json

import faiss
import pytest
from conftest import DATA
from fakes import HashingEmbedder

from assistant import Settings
from assistant.corpus import load_corpus
from assistant.index import HNSW_EF_SEARCH, build_index, load_index, save_index
from assistant.manifest import read_manifest


@pytest.mark.parametrize("approximate_above, index_type", [(10_000, "flat-ip"), (10, "hnsw-flat-ip")])
def test_the_index_type_follows_the_vector_count_and_is_recorded(fake_settings: Settings,
                                                                 approximate_above: int, index_type: str):
    corpus = load_corpus(fake_settings.corpus_dir)
    built = build_index(corpus, HashingEmbedder(), approximate_above=approximate_above)
    save_index(built, fake_settings.index_dir)
    manifest = read_manifest(fake_settings.index_dir)
    assert manifest.index_type == index_type
    assert bool(manifest.index_params) == (index_type != "flat-ip")
    assert load_index(fake_settings.index_dir, manifest).vectors.ntotal == manifest.vector_count


def test_a_saved_graph_keeps_its_search_breadth_and_finds_what_exact_search_finds(fake_settings: Settings):
    embedder = HashingEmbedder()
    save_index(build_index(load_corpus(fake_settings.corpus_dir), embedder, approximate_above=10),
               fake_settings.index_dir)
    graph = load_index(fake_settings.index_dir, read_manifest(fake_settings.index_dir)).vectors
    assert graph.hnsw.efSearch == HNSW_EF_SEARCH
    exact = faiss.IndexFlatIP(graph.d)
    exact.add(graph.reconstruct_n(0, graph.ntotal))
    questions = [item["q"] for item in json.loads((DATA / "questions.json").read_text(encoding="utf-8"))]
    queries = embedder.encode(questions)
    found, truth = graph.search(queries, 5)[1], exact.search(queries, 5)[1]
    recall = sum(len(set(f) & set(t)) for f, t in zip(found, truth, strict=True)) / truth.size
    assert recall >= 0.95
