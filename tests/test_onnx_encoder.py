"""The ONNX encoder exported with the index matches sentence-transformers; serving with it needs no torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, DATA

from assistant import Assistant, IndexCorruptError, Settings
from assistant.assistant import default_embedder
from assistant.corpus import load_corpus
from assistant.embed import SentenceTransformerEmbedder
from assistant.index import build_index, chunk_views, encoder_file, save_index
from assistant.manifest import read_manifest
from assistant.onnx_encoder import ENCODER_FILE, OnnxEmbedder

pytestmark = pytest.mark.model

HEAVY = ("torch", "sentence_transformers", "transformers")


@pytest.fixture(scope="module")
def reference() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, reference: SentenceTransformerEmbedder) -> Settings:
    """A copy of the bundled corpus, indexed and exported as `python -m assistant build` does it."""
    folder = tmp_path_factory.mktemp("exported")
    shutil.copytree(CORPUS, folder / "corpus")
    settings = Settings().updated({"corpus_dir": folder / "corpus", "index_dir": folder / "index"})
    save_index(build_index(load_corpus(settings.corpus_dir), reference), settings.index_dir)
    return settings


@pytest.fixture(scope="module")
def onnx(exported: Settings) -> OnnxEmbedder:
    embedder = default_embedder(exported)
    assert isinstance(embedder, OnnxEmbedder)
    return embedder


def _texts(corpus: Path) -> list[str]:
    """Every text the index embeds (each chunk whole, and its parts) and every labelled question."""
    chunks = load_corpus(corpus).chunks
    titles = {c.chunk_id: c.title for c in chunks}
    views = [view for c in chunks for view in chunk_views(c, titles)]
    questions = [item["q"] for item in json.loads((DATA / "questions.json").read_text(encoding="utf-8"))]
    return [*views, *(c.text for c in chunks), *questions]


def test_onnx_vectors_match_sentence_transformers_on_every_chunk_and_question(
        exported: Settings, onnx: OnnxEmbedder, reference: SentenceTransformerEmbedder):
    texts = _texts(exported.corpus_dir)
    expected = reference.encode(texts)
    batched = onnx.encode(texts)
    one_by_one = np.vstack([onnx.encode([t]) for t in texts])
    assert batched.dtype == np.float32 and batched.shape == expected.shape
    for got in (batched, one_by_one):
        cosines = (got * expected).sum(axis=1)
        worst = int(cosines.argmin())
        assert cosines[worst] >= 0.9999, f"cosine {cosines[worst]:.6f} on {texts[worst]!r}"
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_the_export_fuses_each_layers_attention_into_one_node(exported: Settings,
                                                              reference: SentenceTransformerEmbedder):
    """The fused graph is what makes a question's encode fast; an export that falls back to the traced steps
    would still match the vectors above, only slower."""
    import onnx

    path = encoder_file(exported.index_dir, read_manifest(exported.index_dir))
    assert path is not None
    operators = Counter(node.op_type for node in onnx.load(str(path)).graph.node)
    config = json.loads((reference.model_path / "config.json").read_text(encoding="utf-8"))
    assert operators["Attention"] == config["num_hidden_layers"] == 6
    assert operators["EmbedLayerNormalization"] == 1 and operators["Softmax"] == 0


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_a_question_is_encoded_on_the_configured_threads_which_sleep_while_they_wait(exported: Settings,
                                                                                      threads: int):
    embedder = default_embedder(exported.updated({"encoder_threads": threads}))
    assert isinstance(embedder, OnnxEmbedder)
    options = embedder._session.get_session_options()
    assert options.intra_op_num_threads == threads
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_texts_past_the_token_limit_are_truncated_as_sentence_transformers_does(
        onnx: OnnxEmbedder, reference: SentenceTransformerEmbedder):
    long_text = " ".join(["lie on your back and lift your hips slowly"] * 80)
    assert float(onnx.encode([long_text])[0] @ reference.encode([long_text])[0]) >= 0.9999


def test_onnx_and_sentence_transformers_give_the_same_top_5_for_every_question(
        exported: Settings, onnx: OnnxEmbedder, reference: SentenceTransformerEmbedder):
    with_onnx = Assistant.load(exported, embedder=onnx)
    with_torch = Assistant.load(exported, embedder=reference)
    for item in json.loads((DATA / "questions.json").read_text(encoding="utf-8")):
        assert ([h.chunk_id for h in with_onnx.search(item["q"], k=5)]
                == [h.chunk_id for h in with_torch.search(item["q"], k=5)]), item["q"]


def test_the_manifest_covers_the_exported_encoder_and_names_the_same_model(exported: Settings,
                                                                           onnx: OnnxEmbedder):
    manifest = read_manifest(exported.index_dir)
    path = encoder_file(exported.index_dir, manifest)
    assert path is not None and path.name == ENCODER_FILE
    assert manifest.files[ENCODER_FILE].size == path.stat().st_size
    assert len(manifest.files[ENCODER_FILE].sha256) == 64
    assert (onnx.name, onnx.dimension, onnx.fingerprint) == (
        manifest.model, manifest.dimension, manifest.model_fingerprint)


def test_loading_a_current_index_never_imports_torch(exported: Settings):
    code = ("import sys; from assistant import Assistant; bot = Assistant.load(); "
            "answer = bot.ask('how do I do the bridge?'); "
            f"print(type(bot.embedder).__name__, answer.kind, [m for m in {HEAVY!r} if m in sys.modules])")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(exported.index_dir),
           "ASSISTANT_CORPUS_DIR": str(exported.corpus_dir)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["OnnxEmbedder", "answer", "[]"]


def test_a_truncated_encoder_is_reported_with_its_path_and_the_rebuild_command(exported: Settings,
                                                                                tmp_path: Path):
    settings = exported.updated({"index_dir": tmp_path / "index"})
    shutil.copytree(exported.index_dir, settings.index_dir)
    target = encoder_file(settings.index_dir, read_manifest(settings.index_dir))
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    with pytest.raises(IndexCorruptError) as error:
        Assistant.load(settings)
    assert str(target) in str(error.value) and "python -m assistant build" in str(error.value)


def test_an_index_without_an_export_is_served_by_sentence_transformers(
        exported: Settings, tmp_path: Path, reference: SentenceTransformerEmbedder):
    settings = exported.updated({"index_dir": tmp_path / "index"})
    built = build_index(load_corpus(settings.corpus_dir), reference)
    save_index(replace(built, encoder_model=None), settings.index_dir)
    assert encoder_file(settings.index_dir, read_manifest(settings.index_dir)) is None
    assert isinstance(default_embedder(settings), SentenceTransformerEmbedder)


def test_a_stale_index_is_rebuilt_by_sentence_transformers_with_a_fresh_export(exported: Settings,
                                                                               tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(exported.corpus_dir, corpus)
    (corpus / "desk.md").write_text("# Desk\n\n## Seated Twist\n\n- Sit tall.\n- Turn gently.\n")
    settings = exported.updated({"index_dir": tmp_path / "index", "corpus_dir": corpus})
    shutil.copytree(exported.index_dir, settings.index_dir)
    embedder = default_embedder(settings)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    bot = Assistant.load(settings, embedder)
    manifest = read_manifest(settings.index_dir)
    assert "desk.md" in manifest.documents and encoder_file(settings.index_dir, manifest) is not None
    assert bot.search("seated twist", k=1)[0].chunk_id.startswith("desk/")
