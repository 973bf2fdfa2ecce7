"""The public entry point: load the index, then answer questions with triage, retrieval and composition."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from assistant import compose, replies
from assistant.conversation import aspect_of, last_topic, read_history, resolve_follow_up, user_messages
from assistant.corpus import corpus_hash, load_corpus
from assistant.embed import Embedder
from assistant.index import (
    BuiltIndex,
    build_index,
    encoder_file,
    load_index,
    read_manifest,
    save_index,
    stale_reason,
)
from assistant.records import Answer, Chunk, Exercise, Hit, Source
from assistant.retrieve import Method, Ranking, Retriever
from assistant.scope import check_scope
from assistant.settings import Settings
from assistant.text import RETRIEVAL_CHARS, clean
from assistant.triage import triage

log = logging.getLogger(__name__)

# A question is about the article when it names something in it, or is close in meaning to a chunk
# (cosine >= IN_SCOPE_COSINE), or is loosely close (>= IN_SCOPE_WEAK_COSINE) and shares a word with
# it. Calibrated on tests/data: in-scope questions without a name bottom out near 0.18 (all sharing
# a word), off-topic ones ("how do I bake bread", 0.22) share none.
IN_SCOPE_COSINE = 0.30
IN_SCOPE_WEAK_COSINE = 0.15
# A word like "knee" or "takeaway" does not make a question off topic when it names something in the
# article ("knee hug", "the main takeaway"). Diagnosis, medicines and scans are never overridden.
OVERRIDABLE_SCOPE = ("other_body_part", "off_topic")
# A pronoun follow-up ("is it safe?") keeps the previous topic unless it matches another chunk this well.
OWN_TOPIC_MIN_COSINE = 0.50
QUERY_CACHE_SIZE = 2048


def default_embedder(settings: Settings) -> Embedder:
    """ONNX Runtime when the current index carries its exported encoder, else sentence-transformers.

    Only the fallback imports torch (about 5 s and 400 MB): it builds the index, and serves an index
    built before encoders were exported.
    """
    from assistant.embed import SentenceTransformerEmbedder
    from assistant.onnx_encoder import OnnxEmbedder

    manifest = read_manifest(settings.index_dir)
    encoder = encoder_file(settings.index_dir, manifest)
    if encoder is not None:
        onnx = OnnxEmbedder(encoder, settings.model_path)
        if stale_reason(manifest, corpus_hash(settings.corpus_dir), onnx) is None:
            return onnx
    return SentenceTransformerEmbedder(settings.model_path)


def ensure_index(settings: Settings, embedder: Embedder) -> BuiltIndex:
    """The index on disk when it matches the corpus and model; otherwise rebuild it and say why."""
    manifest = read_manifest(settings.index_dir)
    reason = stale_reason(manifest, corpus_hash(settings.corpus_dir), embedder)
    if reason is None and manifest is not None:
        return load_index(settings.index_dir, manifest)
    log.warning("Building the index in %s: %s.", settings.index_dir, reason)
    built = build_index(load_corpus(settings.corpus_dir), embedder)
    try:
        save_index(built, settings.index_dir)
    except OSError as exc:
        log.warning("Cannot write the index to %s (%s); serving it from memory.", settings.index_dir, exc)
    return built


class Assistant:
    """Answers lower-back exercise questions from the indexed corpus. Stateless per question."""

    def __init__(self, built: BuiltIndex, embedder: Embedder, settings: Settings) -> None:
        self.settings = settings
        self.built = built
        self.embedder = embedder
        self.by_id: dict[str, Chunk] = {c.chunk_id: c for c in built.chunks}
        self.by_label: dict[str, Chunk] = {c.source_label: c for c in built.chunks}
        self._encode = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._encode_uncached)
        self.retriever = Retriever(built, self._encode)

    @classmethod
    def load(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> Assistant:
        """The bundled corpus and index (or those the settings name); builds the index if missing or stale."""
        settings = settings or Settings.load()
        embedder = embedder or default_embedder(settings)
        return cls(ensure_index(settings, embedder), embedder, settings)

    @property
    def manifest(self) -> dict[str, Any]:
        return self.built.manifest

    def _encode_uncached(self, text: str) -> np.ndarray:
        vector = self.embedder.encode([text])[0]
        vector.setflags(write=False)
        return vector

    def search(self, query: str, k: int = 5, method: Method = "hybrid") -> list[Hit]:
        """Ranked chunks for a query, best first."""
        _require_str(query, "query")
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, not {k!r}")
        text = clean(query)[:RETRIEVAL_CHARS]
        return self.retriever.search(text, k, method) if text else []

    def ask(self, question: str, history: Sequence[Mapping[str, Any]] | None = None) -> Answer:
        """One reply for a question in the context of an optional chat history."""
        _require_str(question, "question")
        turns = read_history(history, self.settings.max_history_turns)
        text = clean(question)
        if not any(ch.isalnum() for ch in text):
            return self._reply(replies.invalid(), "invalid")
        # Red flags first, over the whole conversation: urgency never goes down within it.
        flag = triage([*user_messages(turns), text])
        if flag.level != "none":
            return self._reply(replies.safety(flag, self.settings), flag.level, category=flag.category)
        text = text[: self.settings.max_question_chars]
        ranking = self.retriever.rank(text[:RETRIEVAL_CHARS])
        scope = check_scope(text)
        if not scope.in_scope and not (scope.reason in OVERRIDABLE_SCOPE and ranking.named):
            return self._reply(replies.out_of_scope(scope.reason, self.settings), "out_of_scope",
                               category=scope.reason)
        follow_up = None if ranking.named else resolve_follow_up(text, last_topic(turns, self.by_label), self.by_id)
        if follow_up is not None and not follow_up.explicit and self._has_own_topic(ranking, follow_up.chunk_id):
            # "Is it safe?" after the Bridge: the question has a clear topic of its own (a precaution).
            follow_up = None
        if follow_up is not None:
            chunk, aspect, score = self.by_id[follow_up.chunk_id], follow_up.aspect, 1.0
        else:
            if not self._in_scope(ranking):
                return self._reply(replies.out_of_scope("off_topic", self.settings), "out_of_scope",
                                   category="off_topic")
            best = ranking.order[0]
            chunk, aspect, score = self.built.chunks[best], aspect_of(text), float(ranking.scores[best])
        return self._answer(chunk, aspect, score)

    def _has_own_topic(self, ranking: Ranking, previous: str) -> bool:
        best = ranking.order[0]
        if self.built.chunks[best].chunk_id == previous:
            return False
        return bool(ranking.intents or ranking.groups) or float(ranking.dense[best]) >= OWN_TOPIC_MIN_COSINE

    def _in_scope(self, ranking: Ranking) -> bool:
        closeness = float(ranking.dense.max())
        shares_a_word = float(ranking.lexical.max()) > 0
        return bool(ranking.named) or closeness >= IN_SCOPE_COSINE or (
            closeness >= IN_SCOPE_WEAK_COSINE and shares_a_word)

    def _answer(self, chunk: Chunk, aspect: compose.Aspect, score: float) -> Answer:
        body = compose.compose(chunk, self.by_id, aspect)
        if compose.sends_to_someone(chunk):
            body = "\n\n".join(p for p in (body, compose.booking_line(self.settings)) if p)
        used = [chunk, *(self.by_id[m] for m in chunk.members if m in self.by_id),
                *(self.by_id[r] for r in chunk.related if r in self.by_id)]
        sources = [Source(chunk_id=c.chunk_id, title=c.title, section=c.section, score=round(score, 6))
                   for c in used]
        exercise = Exercise(chunk_id=chunk.chunk_id, title=chunk.title, aspect=aspect, hold_seconds=chunk.hold_seconds,
                            image=chunk.image, image_alt=chunk.image_alt) if chunk.kind == "exercise" else None
        return self._reply(body, "answer", sources=sources, exercise=exercise,
                           suggestions=compose.suggestions(chunk, self.by_id, aspect))

    def _reply(self, body: str, kind: str, sources: list[Source] | None = None,
               suggestions: tuple[str, ...] = (), category: str | None = None,
               exercise: Exercise | None = None) -> Answer:
        return Answer(text=compose.with_footer(body, self.settings), kind=kind,  # type: ignore[arg-type]
                      sources=sources or [], footer=self.settings.footer,
                      corpus_hash=str(self.manifest.get("corpus_hash", "")), suggestions=suggestions,
                      category=category, exercise=exercise)


def _require_str(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
