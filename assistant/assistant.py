"""The public entry point: load the index, then answer questions with triage, retrieval and composition."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property, partial
from itertools import islice
from typing import Any

import numpy as np

from assistant import compose, replies
from assistant.answer_policy import answer_policy, asks_what_it_is
from assistant.answerability import Need, answerability, caution_line, not_covered, not_covered_line, quote_caution
from assistant.conversation import (
    LIST_MEMORY,
    FollowUp,
    Turn,
    aspect_of,
    exercises_named,
    last_topic,
    read_history,
    recent_list,
    refers_back,
    resolve_follow_up,
    user_messages,
)
from assistant.corpus import corpus_hash, load_corpus
from assistant.embed import Embedder
from assistant.errors import IndexCorruptError
from assistant.index import (
    REBUILD_HINT,
    BuiltIndex,
    build_index,
    encoder_file,
    load_index,
    save_index,
    stale_reason,
)
from assistant.languages import Detected, Languages
from assistant.manifest import Manifest, read_manifest
from assistant.records import Answer, Chunk, Exercise, Hit, Source, Topic
from assistant.retrieve import Method, Ranking, Retriever, cue_matcher
from assistant.scope import Scope, check_scope
from assistant.scope_model import DIAGNOSIS_ACT, LearnedScope, coverage, scope_features, signals
from assistant.settings import DEFAULT_FOOTER, Settings
from assistant.smalltalk import MAX_WORDS as SMALL_TALK_WORDS
from assistant.smalltalk import small_talk
from assistant.spelling import Speller, spelling_rules
from assistant.text import RETRIEVAL_CHARS, STOPWORDS, clean, for_matching, tokenize
from assistant.triage import Triage, about_back, affirmed, describes_symptoms, triage
from assistant.triage.exemplars import exemplars
from assistant.triage.learned import LearnedOpinion
from assistant.triage.policy import second_opinion
from assistant.vectors import QueryVectors
from assistant.wording import Wording

log = logging.getLogger(__name__)

# The scope rules whose verdict is final: a question about a diagnosis, a medicine or a scan is refused
# whatever else it asks (unless it is about exercise for a group the article does not cover, see
# answerability). Another body part or another topic is final too unless the question names the back or
# something in the article ("my back and my knee", "knee hug", "the main takeaway"). Every verdict is also
# a feature of the scope model.
FINAL_SCOPE = ("medication", "scan_or_surgery", "diagnosis")
UNLESS_NAMED = ("other_body_part", "off_topic")
# A pronoun follow-up ("is it safe?") keeps the previous topic unless it matches another chunk this well.
OWN_TOPIC_MIN_COSINE = 0.50
QUERY_CACHE_SIZE = 2048
RANK = {"none": 0, "urgent": 1, "emergency": 2}
# Categories of answers, for interfaces that style them: small talk, "the article doesn't say", a caution.
SMALL_TALK = "small_talk"
STEPS_HELD = "steps_held"  # the category of an answer whose exercise steps the triage's "hold" kept back
NOT_COVERED = "not_covered"
CAUTION = "caution"
# The learned refusal reads the question's meaning alone, blind to negation ("no numbness down below, just a
# stiff back"): it overrules the gate only where the gate's probability is under this.
REFUSAL_UNDER_GATE = 0.5
# The reason a learned act gives (`scope_train.ACT_KINDS`): a message addressed to the rules gets the plain refusal,
# as the `instructions` signal does.
ACT_REFUSALS = {DIAGNOSIS_ACT: "diagnosis", "instructions": "off_topic"}
# Chunks (best ranked first) searched for the lines closest to what the article does not say.
CLOSEST_FROM = 5


@dataclass(frozen=True)
class Reply:
    """What a reply says before the footer is added: its body, kind and where it came from.

    `lead` is what a reader must meet before anything else, warnings included: what the article does not
    say or cover.
    """

    body: str
    kind: str
    sources: tuple[Source, ...] = ()
    suggestions: tuple[str, ...] = ()
    category: str | None = None
    exercise: Exercise | None = None
    lead: str = ""
    topic: Topic | None = None


@dataclass(frozen=True)
class Shaped:
    """An answer as what the question needs reshaped it: its lead and body, the chunks it cites, its category,
    and whether it still shows the chosen chunk (an interface adds an exercise's timer and picture only then)."""

    lead: str
    body: str
    cited: tuple[Chunk, ...]
    category: str | None
    shows_chunk: bool


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
        onnx = OnnxEmbedder(encoder, settings.model_path, threads=settings.encoder_threads)
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
        # Fixed wording, the default footer included, says "the articles" when the index holds several.
        self.wording = Wording(len(built.manifest.documents))
        if settings.footer == DEFAULT_FOOTER:
            settings = replace(settings, footer=self.wording(settings.footer))
        self.settings = settings
        self.built = built
        self.embedder = embedder
        self.by_id: dict[str, Chunk] = {c.chunk_id: c for c in built.chunks}
        # Only for plain-text clients, whose history carries no chunk ids: labels are unique (corpus.py).
        self.by_label: dict[str, Chunk] = {c.source_label: c for c in built.chunks}
        self.vectors = QueryVectors(embedder, QUERY_CACHE_SIZE)
        if built.scope_model is None:
            raise IndexCorruptError(f"{settings.index_dir}: the index has no scope model; {REBUILD_HINT}.")
        self.learned = LearnedScope.from_dict(built.scope_model, embedder.dimension)
        self.retriever = Retriever(built, self.vectors.one, self.learned.prior)
        # Passages that name exercises, as the lists "the first one" after them picks from.
        self.named_lists = {c.chunk_id: listed for c in built.chunks
                            if (listed := exercises_named(c, self.retriever.names.find, self.by_id)) is not None}
        # Exemplar vectors stored with the index when they match the bundled exemplars; else encoded on first use.
        stored = built.exemplar_vectors if built.manifest.exemplars_sha256 == exemplars().digest else None
        self.opinion = LearnedOpinion.for_encoder(embedder, self.vectors.many, stored)
        self.speller = Speller(built.chunks, spelling_rules())
        # The chunk whose "stop if it hurts" line (the corpus's safety quote) answers "what if it hurts?",
        # and the chunk that line is printed in.
        self.caution_home = next((c for c in built.chunks if c.caution), None)
        quote = self.caution_home.caution if self.caution_home else ""
        self.caution_quoted_in = next((c for c in built.chunks if quote and quote in c.text), None)

    @classmethod
    def load(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> Assistant:
        """The bundled corpus and index (or those the settings name); builds the index if missing or stale."""
        settings = settings or Settings.load()
        embedder = embedder or default_embedder(settings)
        return cls(ensure_index(settings, embedder), embedder, settings)

    @property
    def manifest(self) -> Manifest:
        return self.built.manifest

    def with_scope(self, learned: LearnedScope) -> Assistant:
        """The same assistant deciding scope with other learned models: the out-of-writer figures swap in
        models trained without the writer they score."""
        twin = copy.copy(self)
        twin.learned = learned
        twin.retriever = Retriever(self.built, self.vectors.one, learned.prior)
        return twin

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
        # An emoji alone is small talk ("👍"), not unusable input.
        if not any(ch.isalnum() for ch in text) and small_talk().kind(text) is None:
            return self._reply(Reply(replies.invalid(), "invalid"))
        # Red flags first, over the whole conversation and in the user's own words: urgency never goes down.
        earlier = user_messages(turns)
        flag = self._flag([*earlier, text])
        if flag.level == "none":
            return self._reply(self._route(text, turns, flag if flag.source == "hold" else None))
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

    def _after_warning(self, flag: Triage, text: str, turns: list[Turn]) -> Reply:
        """A later message of a flagged conversation: its own reply, exercises held back, the warning kept in view.

        Anything drawn from the article is held back (the reminder says so); small talk, refusals and other
        languages get their own reply under the reminder. The kind and category stay the flag's, so every
        client sees the conversation is flagged.
        """
        reply = self._route(text, turns)
        remind = replies.reminder(flag, self.settings)  # it says that exercises are held back
        from_article = reply.kind == "answer" and reply.category != SMALL_TALK
        body = remind if from_article else f"{remind}\n\n{reply.body}"
        return Reply(body, flag.level, category=flag.category)

    def _route(self, text: str, turns: list[Turn], hold: Triage | None = None) -> Reply:
        """The reply to a message no red flag stopped: another language, small talk, or about the article.

        With a `hold` (the learned opinion reads an emergency the rules could not confirm), an answer with
        exercise steps is replaced by a "check first" note: no alarm, but no steps either.
        """
        text = text[: self.settings.max_question_chars]
        foreign = self.languages.detect(text, self.speller.correct)
        if foreign is not None:
            return self._english_only(foreign)
        chat = small_talk().kind(text)
        if chat is not None:
            return self._small_talk(chat)
        reply = self._about_the_article(small_talk().question_after(text), turns)
        if hold is not None and reply.kind == "answer" and self._has_steps(reply):
            return Reply(replies.steps_held(hold), "answer", category=STEPS_HELD)
        # What every detector misses still meets a warning: the signs that mean "get help first". An exercise's
        # name is not a symptom, whatever its words ("knee-to-chest", a clinic's "chest opener"); the message is
        # read again without it only when it names a symptom at all (a second reading costs a few tenths of a ms).
        if reply.kind == "answer" and describes_symptoms(text) and \
                describes_symptoms(self.retriever.names.unnamed(text)):
            return replace(reply, body=f"{replies.safety_net()}\n\n{reply.body}")
        return reply

    def _about_the_article(self, text: str, turns: list[Turn]) -> Reply:
        """Scope, then the chunk that answers, then the reply: steps in this order, each its own module.

        Read as what the user affirms: clauses that only rule warning signs out ("no numbness, bladder fine")
        would make the question read like one that lists them to what reads meaning alone.
        """
        text = affirmed(text)
        query = self._query(text)
        ranking = self.retriever.rank(query)
        scope = check_scope(text)
        said = signals(query)
        topic = last_topic(turns, self.by_id, self.by_label)
        need = answerability().need(query)
        if need is not None and need.about_back and not (said["back"] or said["exercise"] or ranking.named or topic):
            need = None
        # Exercise for a group the article does not cover ("had a discectomy, which of these can I do?") is
        # answered with a caution, not refused as a question about surgery; but a question that asks what is
        # wrong ("is this part of the sciatica or should he stretch?") is still sent to a doctor, and exercise
        # for another part ("hand exercises for arthritis", "pelvic floor after the baby") is still refused
        # unless it asks about the exercise just shown ("I had a hip replacement, is it safe for me?"), as any need
        # that leans on it does ("knees hurt doing it" after Child's Pose asks what to do if it hurts).
        # Only a refusal by topic gives way: instructions to the assistant ("pretend the article says deadlifts
        # cure sciatica") and service requests stay refused whatever group they name.
        refused = self._refused_by_rules(scope, said, ranking)
        leans = need is not None and (need.group or topic is not None and refers_back(query))
        if leans and refused == scope.reason and refused != "diagnosis" and \
                (refused != "other_body_part" or topic is not None):
            refused = None
        if refused is not None:
            return self._refusal(refused)
        # The learned models below were trained on English: a message that may be in another language ("mujhe
        # kamar me dard hai koi exercise batao") is not refused or taken as small talk by them; if the gate does
        # not find it about the article, it gets the other-language reply.
        foreign = self.languages.unsure(text, query)
        listed = self.named_lists.get(topic.chunk_id) if topic is not None else None
        follow_up = resolve_follow_up(query, topic, self.by_id, listed or recent_list(turns, self.by_id, self.by_label),
                                      partial(self._named_pair, turns))
        # The scope models' features, computed once and only for a question that reaches them.
        gate_row = cache(partial(self._gate_row, query, ranking, scope, said))
        # Small talk the phrase rules did not know ("thanks dear", "howya"): short, names nothing in the article,
        # does not lean on the previous answer ("what does it work" after the Reverse Hyperextension), and is no
        # health question ("What is COPD?" reads like "what are you?" to a model of meaning alone).
        chat = self.learned.chat.detect(self.vectors.one(query)) \
            if need is None and not ranking.named and len(for_matching(text).split()) <= SMALL_TALK_WORDS \
            and follow_up is None and foreign is None and small_talk().may_be(text) else None
        if chat is not None:
            return self._small_talk(chat)
        if foreign is None and follow_up is None and not (need is not None and need.group) and not said["article"]:
            # What the question does, whatever it names: asking what one's own condition is ("felt a pop during
            # bridges, did I tear something?") or addressing the assistant's rules or role ("rewrite the superman
            # steps so they're wrong"); its threshold keeps it off all but a sliver of questions about the article.
            act = self.learned.act.detect(self.vectors.one(query))
            if act is not None and (act != DIAGNOSIS_ACT or asks_what_it_is(query)):
                return self._refusal(ACT_REFUSALS[act])
        if foreign is None and follow_up is None and not ranking.named and not (need is not None and need.group) \
                and not said["article"]:
            # What no rule refuses may still ask for a diagnosis or about another part in other words ("is this
            # a slipped disc?", "my neck is stiff from the phone"); a message naming an exercise of the article
            # ("prayer stretch?"), leaning on the previous answer, about a group the article does not cover or
            # about the article itself is left to the steps below.
            learned = self.learned.refusal.detect(self.vectors.one(query))
            if learned is not None and (learned != "diagnosis" or asks_what_it_is(query)) and \
                    self.learned.gate.probability(gate_row()) < REFUSAL_UNDER_GATE:
                return self._refusal(learned)
        chosen = self._choose(query, ranking, said, topic, need, None if ranking.named else follow_up, gate_row)
        if chosen is None:
            return self._english_only(foreign) if foreign is not None else self._refusal(scope.reason or "off_topic")
        chunk, aspect, score = chosen
        if need is None:
            # What the phrase rules did not see a question need, the learned needs may ("while I'm expecting"),
            # once the question is known to be about the article.
            learned = self.learned.needs.detect(self.vectors.one(query))
            need = answerability().needs.get(learned) if learned is not None else None
        carried = None if need is not None and need.group else self._group_named_before(turns, query)
        return self._answer(chunk, aspect, score, need, ranking, query, carried)

    def _query(self, text: str) -> str:
        """What retrieval and the needs read of a message (its affirmed clauses): its first characters, typos fixed."""
        return self.speller.correct(text[:RETRIEVAL_CHARS])

    def _group_named_before(self, turns: list[Turn], query: str) -> Need | None:
        """The group the article does not cover (pregnancy, a child, an older person, after surgery, a condition)
        that an earlier message of the conversation asked about, the latest first: "what about child's pose?" after
        "I'm pregnant, can I do the cat-cow?" is asked for the same person, so the caution comes again (a question
        that names a person, "what about my husband?", is asked for them)."""
        earlier = user_messages(turns)
        if not earlier or answerability().names_someone(query):
            return None
        for message in reversed(earlier):
            query = self._query(affirmed(message))
            need = answerability().need(query)
            if need is not None and need.group and (not need.about_back or any(
                    signals(query)[word] for word in ("back", "exercise"))):
                return need
        return None

    def _named_pair(self, turns: list[Turn]) -> tuple[str, ...]:
        """The two parts of the article the user named together lately ("supermans or bird dogs?"), if any: what
        "and the other one?" picks from once the chat has answered about one of them."""
        for text in islice(reversed(user_messages(turns)), LIST_MEMORY):
            named = tuple(dict.fromkeys(c for c, _, _ in self.retriever.names.mentions(for_matching(text).split())))
            if len(named) == 2:
                return named
        return ()

    def _has_steps(self, reply: Reply) -> bool:
        """Whether a reply draws on a chunk with exercise steps."""
        return any(self.by_id[s.chunk_id].steps for s in reply.sources if s.chunk_id in self.by_id)

    def _english_only(self, foreign: Detected) -> Reply:
        return Reply(self.languages.english_only(foreign, self.settings), "out_of_scope", category="language")

    def _refusal(self, reason: str) -> Reply:
        return Reply(self.wording(replies.out_of_scope(reason, self.settings)), "out_of_scope", category=reason)

    def _small_talk(self, kind: str) -> Reply:
        return Reply(self.wording(small_talk().reply(kind)), "answer", suggestions=compose.starters(self.by_id),
                     category=SMALL_TALK)

    def _choose(self, query: str, ranking: Ranking, said: Mapping[str, bool], topic: Chunk | None,
                need: Need | None, follow_up: FollowUp | None, gate_row: Callable[[], np.ndarray],
                ) -> tuple[Chunk, compose.Aspect, float] | None:
        """The chunk a question is about and which part of it, or None when it is not about the article.
        `follow_up` is the previous topic the question leans on, if it names no exercise of its own."""
        best = ranking.order[0]
        by_rank = (self.built.chunks[best], aspect_of(query), float(ranking.scores[best]))
        if follow_up is not None and not follow_up.explicit:
            if need is None and not refers_back(query) and not said["article"] and \
                    not self.learned.gate.in_scope(gate_row(), follow_up=True):
                # "How do I bake bread?" or "any tips for sleeping better?" after the Bridge: nothing leans on it and
                # nothing is about the article, whatever kind of answer it asks for.
                return None
            if said["article"] or self._has_own_topic(ranking, follow_up.chunk_id):
                # "Is it safe?" after the Bridge: a topic of its own (a precaution), asked in the chat's context; or
                # "what is this whole article about?".
                return by_rank
        if follow_up is not None:
            return self.by_id[follow_up.chunk_id], follow_up.aspect, 1.0
        # A group the article does not cover ("after my discectomy, which of these can I do?") is answered with its
        # caution when the question is about the exercises; otherwise the gate decides ("my 3 year old swallowed
        # bleach" names a child, not an exercise).
        about_exercise = said["back"] or said["exercise"] or bool(ranking.named) or topic is not None
        # A question of the answers' own kind asked in a conversation about the article ("should I check with anyone
        # first?" after a list) is held to the gate's threshold for follow-ups, as one leaning on the last answer is.
        in_conversation = topic is not None and bool(ranking.intents)
        if need is not None and need.group and about_exercise or said["article"] or \
                self.learned.gate.in_scope(gate_row(), follow_up=in_conversation) or \
                self._names_only(query, ranking) or self._list_only(query, ranking):
            return by_rank
        if need is not None and topic is not None:
            # "How long till I notice a difference?" after an answer: a need with no topic of its own is a
            # question about the previous one.
            return topic, "card", 1.0
        return None

    def _gate_row(self, query: str, ranking: Ranking, scope: Scope, said: Mapping[str, bool]) -> np.ndarray:
        """The scope models' features, from what retrieval and the rules already computed (the query's vector is
        the one retrieval cached)."""
        share = coverage(query, self.retriever.bm25.idf)
        vector = self.vectors.one(query)
        act = self.learned.act_probability(vector, asks_what_it_is(query))
        return scope_features(vector, ranking, scope, said, share, act)

    @staticmethod
    def _refused_by_rules(scope: Scope, said: Mapping[str, bool], ranking: Ranking) -> str | None:
        """The reason a rule refuses the question outright, or None to let the scope model decide."""
        if said["instructions"]:
            return "off_topic"
        if said["service"]:
            return "service"
        if scope.reason in FINAL_SCOPE:
            return scope.reason
        if scope.reason in UNLESS_NAMED and not (said["back"] or ranking.named):
            return scope.reason
        return None

    def _names_only(self, query: str, ranking: Ranking) -> bool:
        """Whether the question is an exercise's name and function words only ("prayer stretch - how do I do it?",
        "and the bird dog?"): nothing else in it could make it about something else ("superman films" has
        "films"), so it asks about the exercise whatever the gate would make of so few words."""
        return bool(ranking.named) and not tokenize(self.retriever.names.unnamed(query))

    def _list_only(self, query: str, ranking: Ranking) -> bool:
        """Whether the question asks for one of the article's lists in its own words only ("list the strengthening
        moves"): every word a function word, a word of a list request, or a cue of the group it points at. As for a
        name alone, nothing else in it could make it about something else ("list exercises for weight loss")."""
        if not ranking.groups:
            return False
        cues = [cue_matcher(self.by_id[g].cues) for g in ranking.groups]
        listing = answer_policy().list_words
        return all(word in STOPWORDS or word in listing or any(c.matches(word) for c in cues)
                   for word in for_matching(query).split())

    def _has_own_topic(self, ranking: Ranking, previous: str) -> bool:
        best = ranking.order[0]
        if self.built.chunks[best].chunk_id == previous:
            return False
        return bool(ranking.intents or ranking.groups) or float(ranking.dense[best]) >= OWN_TOPIC_MIN_COSINE

    def _answer(self, chunk: Chunk, aspect: compose.Aspect, score: float, need: Need | None, ranking: Ranking,
                query: str, carried: Need | None = None) -> Reply:
        """The reply from a chunk, shaped by what the question needs; `carried` is a group an earlier message named,
        whose caution comes first again."""
        body = compose.compose(chunk, self.by_id, aspect)
        used = [chunk, *(self.by_id[m] for m in chunk.members if m in self.by_id),
                *(self.by_id[r] for r in chunk.related if r in self.by_id)]
        shaped = self._shaped_by_need(need, chunk, body, tuple(used), ranking, query) if need is not None else None
        lead, category = "", None
        if shaped is not None:
            lead, body, used, category = shaped.lead, shaped.body, list(shaped.cited), shaped.category
        if carried is not None:
            lead = "\n\n".join(p for p in (self.wording(caution_line(carried)), lead) if p)
            category = category or CAUTION
        # Where the advice is to see someone, the reply says how to book (when the clinic has set a link or phone).
        if category in (CAUTION, NOT_COVERED) or compose.sends_to_someone(used[0]):
            body = "\n\n".join(p for p in (body, compose.booking_line(self.settings)) if p)
        sources = tuple(Source(chunk_id=c.chunk_id, title=c.title, section=c.section, score=round(score, 6))
                        for c in used)
        shows_chunk = shaped is None or shaped.shows_chunk
        exercise = Exercise(chunk_id=chunk.chunk_id, title=chunk.title, aspect=aspect, hold_seconds=chunk.hold_seconds,
                            image=chunk.image, image_alt=chunk.image_alt) \
            if chunk.kind == "exercise" and shows_chunk else None
        # A follow-up leans on the first source; the aspect is what the reply showed of it.
        topic = Topic(used[0].chunk_id, aspect if used[0] is chunk else "card")
        return Reply(body, "answer", sources, compose.suggestions(chunk, self.by_id, aspect), category, exercise, lead,
                     topic)

    def _shaped_by_need(self, need: Need, chunk: Chunk, body: str, used: tuple[Chunk, ...], ranking: Ranking,
                        query: str) -> Shaped | None:
        """The reply as what the question needs shapes it, or None when the chunk's own reply already gives it:
        a caution for a group the article does not cover, the article's own stop line, or "the article doesn't
        say" with the closest lines it does give."""
        if need.group:
            return Shaped(self.wording(caution_line(need)), body, used, CAUTION, shows_chunk=True)
        if need.quote == "caution" and self.caution_home is not None:
            see = self.by_id.get(self.caution_home.caution_see)
            quoted = tuple(c for c in (see, self.caution_quoted_in) if c is not None)
            return Shaped("", quote_caution(self.caution_home, see), quoted or used, None, shows_chunk=False)
        if need.absent:
            unknown = answerability().unknown(need, query, self.retriever.bm25.idf)
            if not unknown:
                return None
            return Shaped(not_covered_line(need, chunk, unknown), not_covered(need, [], fallback=body), used,
                          NOT_COVERED, shows_chunk=True)
        if answerability().gives(need, chunk, self.by_id, query):
            return None
        others = (self.built.chunks[i] for i in ranking.order[:CLOSEST_FROM])
        lines = answerability().closest_lines(need, [chunk, *(c for c in others if c != chunk)])
        cited = tuple(dict.fromkeys(c for _, c in lines)) or used
        # Without close lines, the reply quotes the chunk's own reply after saying what the article lacks.
        return Shaped(not_covered_line(need, chunk), not_covered(need, lines, fallback=body), cited, NOT_COVERED,
                      shows_chunk=not lines)

    def _reply(self, reply: Reply) -> Answer:
        body = "\n\n".join(p for p in (reply.lead, reply.body) if p)
        return Answer(text=compose.with_footer(body, self.settings), kind=reply.kind,  # type: ignore[arg-type]
                      sources=list(reply.sources), footer=self.settings.footer,
                      corpus_hash=self.manifest.corpus_hash, suggestions=reply.suggestions,
                      category=reply.category, exercise=reply.exercise, topic=reply.topic)


def _require_str(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
