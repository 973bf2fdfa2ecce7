"""Train the learned parts of the scope decision at index build time (scikit-learn is needed here only).

Six models, each a logistic regression over features the pipeline computes anyway (see `LearnedScope`):
- the gate (in scope or not): in scope are `scope_training/in_scope.txt`, text drawn from the corpus itself
  (titles, summaries, steps, "how do I do …?", so a clinic's added document is in scope without new labels)
  and the blind writers' questions about the article's subject; out of scope are `out_of_scope.txt`, the
  training halves of the real consumer and MedQuAD questions (`assistant.real_questions` keeps the other
  halves for reporting only) and the writers' refusals and small talk;
- the chunk prior (which part of the article a question is about): the writers' answered questions with
  the parts they expect, and every chunk's own views;
- the needs (what a question asks that the article does not give), small talk (which kind) and refusals (why
  a question is not about the article: a diagnosis, another body part...), from the writers' labels;
- the act (a question asking what one's own condition is, or addressing the assistant's rules, role or
  output), from the writers' diagnosis requests and prompt injections against their questions about the
  article, whatever those name.
Every threshold is chosen on leave-one-writer-out predictions: each writer scored by models that never saw
that writer (`scope_writers.py`), the way an unseen writer's questions will be met.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answer_policy import asks_what_it_is
from assistant.answerability import answerability
from assistant.chunk_prior import ChunkPrior, chunk_examples
from assistant.linear import NONE, Detector, Softmax, fit_folded
from assistant.records import Chunk
from assistant.scope import check_scope
from assistant.scope_model import (
    DIAGNOSIS_ACT,
    SUMMARY_FEATURES,
    LearnedScope,
    ScopeModel,
    act_strength,
    coverage,
    feature_names,
    scope_features,
    signals,
)
from assistant.scope_writers import WRITERS_FILE, Labelled, labelled
from assistant.smalltalk import MAX_WORDS, small_talk
from assistant.spelling import Speller, spelling_rules
from assistant.text import RETRIEVAL_CHARS, clean, for_matching
from assistant.vectors import QueryVectors

if TYPE_CHECKING:
    from assistant.embed import Embedder
    from assistant.index import BuiltIndex

IN_SCOPE_FILES = ("in_scope.txt",)
OUT_OF_SCOPE_FILES = ("out_of_scope.txt", "consumer-train.txt", "medquad-train.txt")
# The corpus's own sentences as in-scope examples, at most this many (evenly spread), so a 100k-chunk corpus
# does not drown the written questions.
MAX_CORPUS_EXAMPLES = 400
# The gate lets at most this share of the writers' in-scope questions (out of writer) fall below it (the
# issue's ≤ 1%).
IN_SCOPE_LOSS = 0.01
# A follow-up the chat resolves to the previous answer is refused only below the gate probability that loses
# this share of the writers' follow-ups about the article (out of writer). Alone, follow-ups score low: at the
# gate's own threshold 31% of the six writers' follow-ups were lost, at this share's (about 0.01) 5%.
FOLLOW_UP_LOSS = 0.05
# A learned need may open at most this share of the questions the article answers with "the article doesn't
# say" (out of writer, on top of the phrase rules' own); a learned small-talk kind may take at most this share
# of short questions that are not small talk.
NEED_FALSE_RATE = 0.02
SMALL_TALK_FALSE_RATE = 0.005
# A learned refusal may take at most this share of the writers' questions about the article (out of writer,
# answered or honestly not covered) on top of the gate's own loss.
REFUSAL_FALSE_RATE = 0.01
# The act detector (see `_act_label`) refuses even where the gate finds the topic about the article, so it may
# take at most this share of the writers' questions about the article (out of writer): half the on-target drop
# a round may cost (0.005 pooled).
ACT_FALSE_RATE = 0.0025
# Regularisation, compared leave-one-writer-out on the six writers: the gate at 0.03/0.1/0.3 (0.1 refused most
# at 1% in-scope loss), the prior at 1/10/30/100 (30 and 100 put the most questions on an expected part),
# the needs at 0.3/1/3/10, small talk at 0.3/1/3/10.
GATE_C = 0.1
PRIOR_C = 30.0
NEED_C = 3.0
CHAT_C = 3.0
REFUSAL_C = 1.0
ACT_C = 1.0
# The writers' name for small talk that is none of the others ("ok", "bruh"): answered as an acknowledgement.
CHAT_KINDS = {"other": "acknowledgement"}
# The writers' kinds of refusal as the reasons a refusal gives (`replies.OUT_OF_SCOPE`).
REFUSAL_REASONS = {"diagnosis": "diagnosis", "other_body_part": "other_body_part", "medication": "medication",
                   "scan_or_surgery": "scan_or_surgery", "admin": "service", "money": "service",
                   "shopping": "service", "general_health": "off_topic", "unrelated": "off_topic",
                   "prompt_injection": "off_topic"}
# The acts a question can make that no topic makes right: asking what one's own condition is (a cause, a label,
# a meaning, a judgement) and addressing the assistant's rules, role or output instead of asking about the back.
ACT_KINDS = {"diagnosis": DIAGNOSIS_ACT, "prompt_injection": "instructions"}
# Writers who wrote for the refusals (round 6): their questions about the article are look-alikes of refusals,
# chosen to sit at its edge ("knees are bad so cant kneel, any stretch lying on my back"), not a sample of how
# people ask for a part of the article; the chunk prior learns without them (with them it put "lying on my
# stomach lifting arms and legs" on the Piriformis Stretch), the gate and the refusals with them.
REFUSAL_WRITERS = ("st7", "st8")


# Everything the models' training examples and features are read from: a change to any of them makes the
# index stale, so the models are retrained rather than served against rules they were not trained with. The
# rule engine's modules are here because the rules' verdicts are features.
TRAINING_SOURCES = ("scope.py", "scope_signals.toml", "spelling.toml", "scope_train.py", "scope_model.py",
                    "chunk_prior.py", "linear.py", "scope_writers.py", "answerability.toml", "answerability.py",
                    "smalltalk.toml", "answer_policy.toml", "answer_policy.py", "triage/rules.py", "triage/context.py",
                    "triage/phrases.py", "triage/reading.py", "text.py", "fuzzy.py")


def training_fingerprint() -> str:
    """A hash of the training files and of the code and rules that compute the features."""
    package = resources.files("assistant")
    digest = hashlib.sha256()
    names = [*TRAINING_SOURCES,
             *(f"scope_training/{n}" for n in (*IN_SCOPE_FILES, *OUT_OF_SCOPE_FILES, WRITERS_FILE))]
    for name in names:
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def _lines(name: str) -> list[str]:
    text = resources.files("assistant").joinpath("scope_training", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def corpus_examples(chunks: tuple[Chunk, ...]) -> list[str]:
    """What the corpus itself answers, phrased as its headings, summaries and steps say it."""
    found: list[str] = []
    for chunk in chunks:
        found.append(chunk.title)
        if chunk.kind in ("exercise", "mention"):
            found += [f"how do I do the {chunk.title.lower()}?", *chunk.steps[:2], *chunk.aliases[:2]]
        if chunk.summary:
            found.append(chunk.summary)
    found = list(dict.fromkeys(f for f in found if f))
    if len(found) > MAX_CORPUS_EXAMPLES:
        found = [found[i] for i in np.linspace(0, len(found) - 1, MAX_CORPUS_EXAMPLES).astype(int)]
    return found


@dataclass(frozen=True)
class TrainingData:
    """Every training text once, with what each model reads of it.

    `gate_rows` are the gate's features, `vectors` the query vectors (the spelling-fixed text, as served);
    `gate` the gate's label (1 in scope, 0 not); `writer` the writer of a labelled question ("" for the rest);
    `labelled` the writers' questions, which are the last rows, in the same order; `rule_need` and `rule_chat`
    what the phrase rules already find in each text (the learned needs and small talk act only where they
    find nothing).
    """

    texts: tuple[str, ...]
    gate_rows: np.ndarray
    vectors: np.ndarray
    gate: np.ndarray
    writer: np.ndarray
    labelled: tuple[Labelled, ...]
    rule_need: tuple[bool, ...]
    rule_chat: tuple[bool, ...]
    words: np.ndarray
    asks: np.ndarray
    views: tuple[tuple[str, str], ...]
    view_vectors: np.ndarray

    @property
    def first(self) -> int:
        """Row of the first writer's question."""
        return len(self.texts) - len(self.labelled)

    @property
    def writers(self) -> list[str]:
        return list(dict.fromkeys(item.writer for item in self.labelled))


def training_data(built: BuiltIndex, embedder: Embedder) -> TrainingData:
    """Features of every training text: spelling fixed, ranked against the index, rules read."""
    from assistant.retrieve import Retriever

    inside = [q for name in IN_SCOPE_FILES for q in _lines(name)] + corpus_examples(built.chunks)
    outside = [q for name in OUT_OF_SCOPE_FILES for q in _lines(name)]
    writers = labelled()
    texts = [*inside, *outside, *(item.text for item in writers)]
    gate = [1] * len(inside) + [0] * len(outside) + [int(item.label in ("in_scope", "not_covered"))
                                                     for item in writers]
    speller = Speller(built.chunks, spelling_rules())
    raws = [clean(t) for t in texts]
    queries = [speller.correct(r[:RETRIEVAL_CHARS]) for r in raws]
    views = tuple(chunk_examples(built.chunks))
    # The serving cache, filled at once: every query below is then a cache hit. Shortest first, so each batch
    # pads to a length near its own (in the given order, the long consumer questions padded whole batches).
    cache = QueryVectors(embedder, len(queries) + len(views))
    cache.many(sorted({*queries, *(text for text, _ in views)}, key=len))
    retriever = Retriever(built, cache.one)
    # The act feature is filled in below, once the act detector can be trained on these vectors.
    rows = [scope_features(cache.one(q), retriever.rank(q), check_scope(r), signals(q),
                           coverage(q, retriever.bm25.idf), 0.0) for r, q in zip(raws, queries, strict=True)]
    data = TrainingData(
        texts=tuple(texts), gate_rows=np.vstack(rows), vectors=cache.many(queries).astype(np.float64),
        gate=np.array(gate), writer=np.array([""] * (len(texts) - len(writers)) + [i.writer for i in writers]),
        labelled=writers, rule_need=tuple(answerability().need(q) is not None for q in queries),
        rule_chat=tuple(small_talk().kind(r) is not None for r in raws),
        words=np.array([len(for_matching(r).split()) for r in raws]),
        asks=np.array([asks_what_it_is(q) for q in queries]),
        views=views, view_vectors=cache.many([text for text, _ in views]).astype(np.float64))
    data.gate_rows[:, SUMMARY_FEATURES.index("act")] = _act_out_of_writer(data)
    return data


def _act_out_of_writer(data: TrainingData) -> np.ndarray:
    """The act feature of every training text: a writer's questions scored by an act detector that never saw
    that writer (as an unseen writer's will be), the rest by one trained on every writer, as served. (A model
    scoring writer W leave-one-writer-out trains its gate on other writers' values from detectors that saw W: a
    second-order leak, left so the feature is computed once.)"""

    def fit(rows: list[tuple[int, str]]) -> Softmax:
        return Softmax.fit(data.vectors[[r for r, _ in rows]], [name for _, name in rows], ACT_C, balanced=True)

    def act(model: Softmax, rows: np.ndarray) -> np.ndarray:
        return act_strength(model, data.vectors[rows], data.asks[rows])

    items = [(row, _act_label(item)) for row, item in enumerate(data.labelled, data.first)]
    items = [(row, name) for row, name in items if name is not None]
    column = act(fit(items), np.arange(len(data.texts)))
    for writer in data.writers:
        allowed = without_writer(data, writer)
        rows = np.flatnonzero(data.writer == writer)
        column[rows] = act(fit([(r, n) for r, n in items if allowed[r]]), rows)
    return column


def train_scope_model(built: BuiltIndex, embedder: Embedder) -> LearnedScope:
    """The models for this corpus and encoder, trained once per process (tests build the same index often)."""
    key = (built.manifest.corpus_hash, embedder.name, str(getattr(embedder, "fingerprint", "")))
    if key not in _TRAINED:
        _TRAINED[key] = fit_learned_scope(training_data(built, embedder), built.chunks)
    return _TRAINED[key]


_TRAINED: dict[tuple[str, str, str], LearnedScope] = {}


def without_writer(data: TrainingData, writer: str) -> np.ndarray:
    """The rows a model scored on `writer` may train on: not the writer's, nor any other row with the same
    words (generic questions such as "should i stop if it hurts" were written independently into the
    training files and by more than one writer)."""
    said = {for_matching(text) for text, who in zip(data.texts, data.writer, strict=True) if who == writer}
    return np.array([who != writer and for_matching(text) not in said
                     for text, who in zip(data.texts, data.writer, strict=True)])


def fit_learned_scope(data: TrainingData, chunks: Sequence[Chunk], leave_out: str = "") -> LearnedScope:
    """All six models, trained without the writer `leave_out` (none: every writer); each threshold chosen on
    the predictions for every other writer by a model that did not see that writer."""
    keep = without_writer(data, leave_out) if leave_out else np.ones(len(data.texts), bool)
    writers = [w for w in data.writers if w != leave_out]
    gate, gate_report = _fit_gate(data, keep, writers)
    needs, need_report = _fit_detector(data, keep, writers, _need_label, NEED_C, data.rule_need, NEED_FALSE_RATE,
                                       lambda item: item.label == "in_scope")
    chat, chat_report = _fit_detector(data, keep, writers, _chat_label, CHAT_C, data.rule_chat,
                                      SMALL_TALK_FALSE_RATE, _short_question(data))
    # Every question about the article counts against a refusal, rules or not: the rules that refuse are
    # tried first when serving, so the learned refusal only adds to them.
    refusal, refusal_report = _fit_detector(data, keep, writers, _refusal_label, REFUSAL_C,
                                            (False,) * len(data.texts), REFUSAL_FALSE_RATE,
                                            lambda item: item.label in ("in_scope", "not_covered"))
    act, act_report = _fit_detector(data, keep, writers, _act_label, ACT_C, (False,) * len(data.texts),
                                    ACT_FALSE_RATE, lambda item: item.label in ("in_scope", "not_covered"))
    prior = ChunkPrior.fit(*_prior_examples(data, keep, chunks), c=PRIOR_C)
    report = {"writers": writers, "gate": gate_report, "needs": need_report, "small_talk": chat_report,
              "refusal": refusal_report, "act": act_report}
    return LearnedScope(gate=ScopeModel(gate.features, gate.weights, gate.bias, gate.threshold, report,
                                        gate.follow_up_threshold),
                        prior=prior, needs=needs, chat=chat, refusal=refusal, act=act)


def _fit_gate(data: TrainingData, keep: np.ndarray, writers: list[str]) -> tuple[ScopeModel, dict[str, Any]]:
    def fit(rows: np.ndarray) -> tuple[np.ndarray, float]:
        _, coef, bias = fit_folded(data.gate_rows[rows], data.gate[rows], GATE_C, balanced=True)
        return coef[0], float(bias[0])

    first = np.arange(len(data.texts)) >= data.first
    asked_alone = np.array([True] * data.first + [item.turn == 0 for item in data.labelled])
    held_out = np.full(len(data.texts), np.nan)
    for writer in writers:
        weights, bias = fit(keep & without_writer(data, writer) & asked_alone)
        rows = data.writer == writer
        held_out[rows] = 1 / (1 + np.exp(-(data.gate_rows[rows] @ weights + bias)))
    scored = first & keep & asked_alone
    inside = held_out[scored & (data.gate == 1)]
    threshold = float(np.quantile(inside, IN_SCOPE_LOSS, method="lower"))
    followed = held_out[first & keep & ~asked_alone & (data.gate == 1)]
    follow_up_threshold = min(threshold, float(np.quantile(followed, FOLLOW_UP_LOSS, method="lower"))) \
        if len(followed) else threshold
    weights, bias = fit(keep & asked_alone)
    refused = scored & (data.gate == 0) & np.array([False] * data.first + [i.label == "out_of_scope"
                                                                           for i in data.labelled])
    report = {"trained_on": int((keep & asked_alone).sum()), "C": GATE_C,
              "out_of_writer_in_scope_lost": round(float(np.mean(inside < threshold)), 4),
              "out_of_writer_out_of_scope_refused": round(float(np.mean(held_out[refused] < threshold)), 4),
              "follow_up_threshold": round(follow_up_threshold, 4)}
    dimension = data.gate_rows.shape[1] - len(feature_names(0))
    return ScopeModel(feature_names(dimension), weights, bias, threshold, {}, follow_up_threshold), report


def _need_label(item: Labelled) -> str | None:
    """What a writer's question needs that the article does not give; `none` when it answers it. A later turn
    labelled with a group that only an earlier turn named ("what about child's pose?" after "I'm pregnant") is left
    out: read alone it does not show the group (the conversation carries it), and learning it so would caution
    every plain "what about child's pose?"."""
    if item.label == "in_scope":
        return NONE
    if item.label != "not_covered":
        return None
    if item.turn and answerability().needs[item.detail].group and not answerability().names_group(item.text):
        return None
    return item.detail


def _chat_label(item: Labelled) -> str | None:
    """The kind of a writer's small talk, `none` for a question; every writer's message counts."""
    return CHAT_KINDS.get(item.detail, item.detail) if item.label == "small_talk" else NONE


def _refusal_label(item: Labelled) -> str | None:
    """Why a writer's question is refused, `none` for one about the article; small talk is neither."""
    if item.label == "out_of_scope":
        return REFUSAL_REASONS[item.detail]
    return NONE if item.label in ("in_scope", "not_covered") else None


def _act_label(item: Labelled) -> str | None:
    """What a question does rather than what it is about: every writer's diagnosis requests and prompt
    injections against their questions about the article (the topic's other refusals are left out: a question
    about the knee asks as a question about the back does)."""
    if item.label == "out_of_scope":
        return ACT_KINDS.get(item.detail)
    return NONE if item.label in ("in_scope", "not_covered") else None


def _short_question(data: TrainingData) -> Callable[[Labelled], bool]:
    short = {item.text for item, words in zip(data.labelled, data.words[data.first:], strict=True)
             if words <= MAX_WORDS}
    return lambda item: item.label != "small_talk" and item.text in short


def _fit_detector(data: TrainingData, keep: np.ndarray, writers: list[str], label: Callable[[Labelled], str | None],
                  c: float, ruled: tuple[bool, ...], false_rate: float, counted: Callable[[Labelled], bool]
                  ) -> tuple[Detector, dict[str, Any]]:
    """A softmax over the writers' labels with a `none` class, and the least confidence that takes at most
    `false_rate` of the `counted` questions (those the rules left alone) out of `none`, out of writer."""
    items = [(row, label(item)) for row, item in enumerate(data.labelled, data.first) if keep[row]]
    items = [(row, name) for row, name in items if name is not None]

    def fit(rows: list[tuple[int, str]]) -> Softmax:
        return Softmax.fit(data.vectors[[r for r, _ in rows]], [name for _, name in rows], c, balanced=True)

    none_held_out: dict[int, float] = {}
    for writer in writers:
        allowed = without_writer(data, writer)
        model = fit([(r, n) for r, n in items if allowed[r]])
        for row, _ in items:
            if data.writer[row] == writer:
                none_held_out[row] = float(model.probabilities(data.vectors[row])[model.classes.index(NONE)])
    free = [row for row, _ in items if not ruled[row]]
    wrong = np.array([none_held_out[r] for r in free if counted(data.labelled[r - data.first])])
    # Below this P(none) a question is taken as the class it is likeliest to be.
    threshold = float(np.quantile(wrong, false_rate, method="lower")) if len(wrong) else 0.0
    wanted = [r for r in free if dict(items)[r] != NONE]
    report = {"C": c, "none_below": round(threshold, 4),
              "out_of_writer_found": round(float(np.mean([none_held_out[r] < threshold for r in wanted])), 4)
              if wanted else None,
              "out_of_writer_false": round(float(np.mean(wrong < threshold)), 4) if len(wrong) else None}
    return Detector(fit(items), threshold), report


def _prior_examples(data: TrainingData, keep: np.ndarray, chunks: Sequence[Chunk]
                    ) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The writers' answered questions asked alone, each once per part they accept (weighted to sum to one),
    then every chunk's own views; parts the corpus no longer has are left out."""
    ids = {c.chunk_id for c in chunks}
    rows, labels, weights = [], [], []
    for row, item in enumerate(data.labelled, data.first):
        accepted = [e for e in item.expect if e in ids]
        if keep[row] and item.turn == 0 and accepted and item.writer not in REFUSAL_WRITERS:
            rows += [data.vectors[row]] * len(accepted)
            labels += accepted
            weights += [1 / len(accepted)] * len(accepted)
    rows += list(data.view_vectors)
    labels += [chunk_id for _, chunk_id in data.views]
    weights += [1.0] * len(data.views)
    return np.vstack(rows), labels, np.array(weights)
