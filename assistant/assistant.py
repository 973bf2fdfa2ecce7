"""The public entry point: load the index, then answer questions with triage, retrieval and composition."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

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
from assistant.languages import Languages
from assistant.records import Answer, Chunk, Hit, Source
from assistant.retrieve import Method, Ranking, Retriever
from assistant.scope import check_scope
from assistant.settings import Settings
from assistant.text import RETRIEVAL_CHARS, clean
from assistant.triage import Triage, about_back, describes_symptoms, triage
from assistant.triage.exemplars import exemplars
from assistant.triage.learned import LearnedOpinion
from assistant.triage.policy import second_opinion
from assistant.vectors import QueryVectors

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
RANK = {"none": 0, "urgent": 1, "emergency": 2}


@dataclass(frozen=True)
class Reply:
    """What a reply says before the footer is added: its body, kind and where it came from."""

    body: str
    kind: str
    sources: tuple[Source, ...] = ()
    suggestions: tuple[str, ...] = ()
    category: str | None = None


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
        self.vectors = QueryVectors(embedder, QUERY_CACHE_SIZE)
        self.retriever = Retriever(built, self.vectors.one)
        # Exemplar vectors stored with the index when they match the bundled exemplars; else encoded on first use.
        stored = built.exemplar_vectors if built.manifest.get("exemplars_sha256") == exemplars().digest else None
        self.opinion = LearnedOpinion.for_encoder(embedder, self.vectors.many, stored)

    @classmethod
    def load(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> Assistant:
        """The bundled corpus and index (or those the settings name); builds the index if missing or stale."""
        settings = settings or Settings.load()
        embedder = embedder or default_embedder(settings)
        return cls(ensure_index(settings, embedder), embedder, settings)

    @property
    def manifest(self) -> dict[str, Any]:
        return self.built.manifest

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
            return self._reply(Reply(replies.invalid(), "invalid"))
        # Red flags first, over the whole conversation: urgency never goes down within it.
        earlier = user_messages(turns)
        flag = self._flag([*earlier, text])
        if flag.level == "none":
            return self._reply(self._route(text, turns))
        before = self._flag(earlier) if earlier else Triage("none")
        latest = self._flag([text])
        if before.level == "none" or latest.level != "none" or (before.level, before.category) != (
                flag.level, flag.category):
            shown = latest if RANK[latest.level] >= RANK[flag.level] else flag
            body = self.languages.card(shown, self.settings) if shown.source == "language" else \
                replies.safety(shown, self.settings, about_back([*earlier, text]))
            return self._reply(Reply(body, shown.level, category=shown.category))
        return self._reply(self._after_warning(before, text, turns))

    @cached_property
    def languages(self) -> Languages:
        return Languages.load(self.settings.model_path)

    def _flag(self, messages: list[str]) -> Triage:
        """The rules (checked by the learned opinion), then sign words in another language, then the learned
        opinion (English only)."""
        flag = triage(messages, self.opinion)
        if flag.level == "none" and flag.source is None:
            flag = self.languages.triage(messages)
        if flag.level == "none" and flag.source is None and self.opinion is not None:
            # The exemplars are English: a message in another language is not compared with them.
            english = [m for m in messages if self.languages.detect(m) is None]
            flag = second_opinion(english, self.opinion) if english else flag
        return flag

    def _after_warning(self, flag: Triage, text: str, turns: Sequence[Any]) -> Reply:
        """A later message of a flagged conversation: its own reply, exercises held back, the warning kept in view.

        The kind and category stay the flag's, so every client sees the conversation is flagged.
        """
        reply = self._route(text, turns)
        remind = replies.reminder(flag, self.settings)  # it says that exercises are held back
        body = remind if reply.kind == "answer" else f"{remind}\n\n{reply.body}"
        return Reply(body, flag.level, category=flag.category)

    def _route(self, text: str, turns: Sequence[Any]) -> Reply:
        """The reply to a question no red flag stopped: out of scope, a follow-up, or an answer."""
        text = text[: self.settings.max_question_chars]
        foreign = self.languages.detect(text)
        if foreign is not None:
            return Reply(self.languages.english_only(foreign, self.settings), "out_of_scope", category="language")
        ranking = self.retriever.rank(text[:RETRIEVAL_CHARS])
        scope = check_scope(text)
        if not scope.in_scope and not (scope.reason in OVERRIDABLE_SCOPE and ranking.named):
            return Reply(replies.out_of_scope(scope.reason), "out_of_scope", category=scope.reason)
        follow_up = None if ranking.named else resolve_follow_up(text, last_topic(turns, self.by_label), self.by_id)
        if follow_up is not None and not follow_up.explicit and self._has_own_topic(ranking, follow_up.chunk_id):
            # "Is it safe?" after the Bridge: the question has a clear topic of its own (a precaution).
            follow_up = None
        if follow_up is not None:
            chunk, aspect, score = self.by_id[follow_up.chunk_id], follow_up.aspect, 1.0
        else:
            if not self._in_scope(ranking):
                return Reply(replies.out_of_scope("off_topic"), "out_of_scope", category="off_topic")
            best = ranking.order[0]
            chunk, aspect, score = self.built.chunks[best], aspect_of(text), float(ranking.scores[best])
        answer = self._answer(chunk, aspect, score)
        if describes_symptoms(text):
            # What every detector misses still meets a warning: the signs that mean "get help first".
            return Reply(f"{replies.safety_net()}\n\n{answer.body}", answer.kind, answer.sources,
                         answer.suggestions, answer.category)
        return answer

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

    def _answer(self, chunk: Chunk, aspect: compose.Aspect, score: float) -> Reply:
        body = compose.compose(chunk, self.by_id, aspect)
        used = [chunk, *(self.by_id[m] for m in chunk.members if m in self.by_id),
                *(self.by_id[r] for r in chunk.related if r in self.by_id)]
        sources = tuple(Source(chunk_id=c.chunk_id, title=c.title, section=c.section, score=round(score, 6))
                        for c in used)
        return Reply(body, "answer", sources, compose.suggestions(chunk, self.by_id))

    def _reply(self, reply: Reply) -> Answer:
        return Answer(text=compose.with_footer(reply.body, self.settings), kind=reply.kind,  # type: ignore[arg-type]
                      sources=list(reply.sources), footer=self.settings.footer,
                      corpus_hash=str(self.manifest.get("corpus_hash", "")), suggestions=reply.suggestions,
                      category=reply.category)


def _require_str(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
