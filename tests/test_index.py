"""The index round-trips through plain files, notices a changed corpus, and names corruption clearly."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fakes import HashingEmbedder

from assistant import Assistant, IndexCorruptError, Settings
from assistant.corpus import load_corpus
from assistant.index import build_index, load_index, read_manifest, save_index, stale_reason
from assistant.triage.exemplars import exemplars


def test_round_trip_keeps_chunks_vectors_and_manifest(fake_settings: Settings):
    built = build_index(load_corpus(fake_settings.corpus_dir), HashingEmbedder())
    save_index(built, fake_settings.index_dir)
    manifest = read_manifest(fake_settings.index_dir)
    loaded = load_index(fake_settings.index_dir, manifest)
    assert loaded.chunks == built.chunks
    assert loaded.vectors.ntotal == built.vectors.ntotal == len(built.owners)
    assert (loaded.owners == built.owners).all()
    assert manifest["model"] == HashingEmbedder.name and manifest["dimension"] == 384
    assert manifest["chunk_count"] == 27 and manifest["corpus_hash"] == built.manifest["corpus_hash"]
    assert set(manifest["files"]) == {"chunks.json", "vectors.faiss", "owners.npy", "exemplars.npy",
                                      "scope-model.json"}
    assert "faiss-cpu" in manifest["versions"]
    # The red-flag exemplars travel with the index, hashed, so serving does not encode them at start.
    assert manifest["exemplars_sha256"] == exemplars().digest
    assert loaded.exemplar_vectors.shape == (len(exemplars().texts), 384)
    assert (loaded.exemplar_vectors == built.exemplar_vectors).all()


def test_load_builds_once_then_reuses_the_saved_index(fake_settings: Settings, caplog):
    embedder = HashingEmbedder()
    with caplog.at_level(logging.WARNING):
        Assistant.load(fake_settings, embedder=embedder)
    assert "no index has been built yet" in caplog.text
    caplog.clear()
    calls = embedder.calls
    with caplog.at_level(logging.WARNING):
        Assistant.load(fake_settings, embedder=embedder)
    assert embedder.calls == calls, "a current index must not be re-embedded"
    assert "Building" not in caplog.text


def test_a_changed_corpus_makes_the_index_stale_and_it_rebuilds(fake_settings: Settings, caplog):
    Assistant.load(fake_settings, embedder=HashingEmbedder())
    (fake_settings.corpus_dir / "desk.md").write_text("# Desk\n\n## Neck Free Stretch\n\n- Sit tall.\n- Breathe.\n")
    manifest = read_manifest(fake_settings.index_dir)
    assert stale_reason(manifest, load_corpus(fake_settings.corpus_dir).content_hash, HashingEmbedder()) == (
        "the corpus changed since the index was built")
    with caplog.at_level(logging.WARNING):
        bot = Assistant.load(fake_settings, embedder=HashingEmbedder())
    assert "the corpus changed" in caplog.text
    assert bot.by_id["desk/neck-free-stretch/overview"].steps == ("Sit tall.", "Breathe.")


def test_another_model_makes_the_index_stale(fake_settings: Settings):
    Assistant.load(fake_settings, embedder=HashingEmbedder())
    other = HashingEmbedder()
    other.name = "another/model"
    manifest = read_manifest(fake_settings.index_dir)
    assert stale_reason(manifest, manifest["corpus_hash"], other) == "the embedding model changed"


def _data_folder(settings: Settings) -> Path:
    return settings.index_dir / read_manifest(settings.index_dir)["data"]


@pytest.mark.parametrize("name", ["vectors.faiss", "chunks.json", "owners.npy"])
def test_a_truncated_file_is_reported_with_its_path_and_the_rebuild_command(fake_settings: Settings, name: str):
    Assistant.load(fake_settings, embedder=HashingEmbedder())
    target = _data_folder(fake_settings) / name
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    with pytest.raises(IndexCorruptError) as error:
        Assistant.load(fake_settings, embedder=HashingEmbedder())
    assert str(target) in str(error.value)
    assert "python -m assistant build" in str(error.value)


def test_a_garbled_manifest_is_corruption_not_a_silent_rebuild(fake_settings: Settings):
    Assistant.load(fake_settings, embedder=HashingEmbedder())
    (fake_settings.index_dir / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="manifest.json"):
        Assistant.load(fake_settings, embedder=HashingEmbedder())


def test_an_interrupted_save_leaves_the_previous_index_serving(fake_settings: Settings, monkeypatch):
    Assistant.load(fake_settings, embedder=HashingEmbedder())
    before = read_manifest(fake_settings.index_dir)
    built = build_index(load_corpus(fake_settings.corpus_dir), HashingEmbedder())

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("assistant.index.np.save", crash)
    with pytest.raises(OSError):
        save_index(built, fake_settings.index_dir)
    monkeypatch.undo()
    assert read_manifest(fake_settings.index_dir) == before
    assert load_index(fake_settings.index_dir, before).chunks == built.chunks


def test_a_read_only_location_still_serves_from_memory(fake_settings: Settings, caplog):
    blocker = fake_settings.index_dir.parent / "a-file"
    blocker.write_text("not a folder")
    settings = fake_settings.updated({"index_dir": blocker / "index"})
    with caplog.at_level(logging.WARNING):
        bot = Assistant.load(settings, embedder=HashingEmbedder())
    assert "serving it from memory" in caplog.text
    assert bot.search("bridge", k=1)[0].chunk_id == "strengthen/bridge"


def test_chunk_records_are_plain_json(fake_settings: Settings):
    Assistant.load(fake_settings, embedder=HashingEmbedder())
    records = json.loads((_data_folder(fake_settings) / "chunks.json").read_text())
    assert records[0]["chunk_id"] == "about/introduction"


def test_changed_scope_training_makes_the_index_stale(fake_settings: Settings, monkeypatch):
    Assistant.load(fake_settings, embedder=HashingEmbedder())
    manifest = read_manifest(fake_settings.index_dir)
    assert stale_reason(manifest, manifest["corpus_hash"], HashingEmbedder()) is None
    monkeypatch.setattr("assistant.scope_train.training_fingerprint", lambda: "edited")
    assert stale_reason(manifest, manifest["corpus_hash"], HashingEmbedder()) == (
        "the scope model's training data or rules changed")
