"""Rank chunks for a question: dense and BM25 fused by reciprocal rank, then the learned chunk prior, names and
list intent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from assistant.answer_policy import answer_policy, cues_of
from assistant.chunk_prior import PRIOR_WEIGHT, ChunkPrior
from assistant.index import BuiltIndex, embedding_text
from assistant.lexical import BM25
from assistant.names import NameIndex, WordMatcher
from assistant.records import Chunk, Hit
from assistant.text import for_matching

Method = Literal["dense", "bm25", "hybrid"]
# Reciprocal rank fusion: each method adds weight / (RRF_K + rank), rank counted from 1. 60 is the constant
# of Cormack et al. (2009).
RRF_K = 60
# BM25 votes at half the weight of dense retrieval: on tests/data it breaks ties well but misleads
# on lay descriptions that share no words with the article (weights 1, 0.5 and 0.25 compared there).
BM25_WEIGHT = 0.5
# The boosts below are added to fused scores, which never exceed 1.5 / (RRF_K + 1) ≈ 0.025: a boost of 0.5 or
# more puts its chunk above every unboosted one, and the steps only order boosted chunks among themselves.
# A chunk the question names: first above all. Each later-named chunk ranks NAME_ORDER_STEP lower, so
# "the bridge or the plank?" answers about the bridge.
NAME_BOOST = 1.0
NAME_ORDER_STEP = 0.01
# A group a request for a list points at (only when the question names no chunk): above every other chunk.
# Each question word its cues match adds GROUP_CUE_STEP, so the group that matches more words wins.
GROUP_BOOST = 0.5
GROUP_CUE_STEP = 0.05
DENSE_CANDIDATES = 1024
# Group cue vocabularies indexed for matching (one per group of every loaded corpus).
CUE_MATCHERS = 256
# Chunk kinds a question's form can ask for: a small nudge that settles close calls. The words that show each
# are the cues of the same names in answer_policy.toml.
INTENT_KINDS = ("precaution", "info")
# A chunk of the kind the question's form asks for gets this much, against fused scores of at most 0.025:
# enough to reorder neighbours whose fused scores are close, not to lift a chunk both methods rank low.
INTENT_BOOST = 0.01


@dataclass(frozen=True)
class Ranking:
    """Every chunk's fused score plus the evidence an answer policy needs."""

    order: list[int]
    scores: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray
    named: tuple[str, ...]
    """Chunk ids whose name or alias the question spells out (typos forgiven), in order of mention."""
    intents: frozenset[str] = frozenset()
    """Chunk kinds the question's form asks for."""
    groups: tuple[str, ...] = ()
    """Groups a request for a list points at."""
    prior: np.ndarray | None = None
    """Each chunk's probability under the learned chunk prior (None without one)."""


def cue_count(words: list[str], cues: tuple[str, ...]) -> int:
    """How many of the question's words a group's cue words or phrases match (typos forgiven).

    Words, not cues, are counted: "stretches" matches the cues "stretch", "stretches" and "stretching" but
    is one word, so a group whose reviewed cues list every spelling does not outweigh one whose heading
    shares two of the question's words ("seated stretches").
    """
    matcher = cue_matcher(cues)
    fits = [matcher.matches(w) for w in words]
    where: dict[str, list[int]] = {}
    for position, matched in enumerate(fits):
        for cue_word in matched:
            where.setdefault(cue_word, []).append(position)
    covered: set[int] = set()
    for cue in cues:
        cue_words = cue.split()
        width = len(cue_words)
        for start in where.get(cue_words[0], ()):
            if start + width <= len(words) and all(c in fits[start + k] for k, c in enumerate(cue_words[1:], 1)):
                covered.update(range(start, start + width))
    return len(covered)


@lru_cache(maxsize=CUE_MATCHERS)
def cue_matcher(cues: tuple[str, ...]) -> WordMatcher:
    """The words of a group's cues, indexed once per group."""
    return WordMatcher(word for cue in cues for word in cue.split())


def list_groups(question: str, chunks: tuple[Chunk, ...], relief: bool = False) -> list[tuple[str, int]]:
    """Groups a list-seeking question points at, with how many of their cues it contains.

    A request for one thing ("the best stretch") is not a list; a request for exercises with nothing more
    specific ("what exercises are there?") points at every group. A request for relief from what an exercise did
    (`relief`: "deadlifts gave me a sore back, how do I ease it") seeks the list its cues point at.
    """
    found = cues_of(question)
    if not (relief or "list" in found) or "one_thing" in found:
        return []
    words = for_matching(question).split()
    counted = [(c.chunk_id, cue_count(words, c.cues)) for c in chunks if c.kind == "group"]
    if not any(n for _, n in counted) and "plain_list" in found:
        return [(chunk_id, 0) for chunk_id, _ in counted]
    return [(chunk_id, n) for chunk_id, n in counted if n]


def asked_names(question: str, words: list[str], mentions: Sequence[tuple[str, int, int]]) -> tuple[str, ...]:
    """The chunks a question asks about: every one it names, less an exercise named as what hurt when it asks for
    relief ("my back hurts from deadlifts, what stretches help?" asks for stretches, not for the deadlift)."""
    cues = cues_of(question)
    if "hurt" in cues and ("relief" in cues or "list" in cues):
        policy = answer_policy()
        return tuple(chunk_id for chunk_id, start, end in mentions if not policy.named_as_cause(words, start, end))
    return tuple(chunk_id for chunk_id, _, _ in mentions)


def intended_kinds(question: str) -> set[str]:
    """Chunk kinds the question's form asks for ("is it safe…" → precautions)."""
    found = cues_of(question)
    return {kind for kind in INTENT_KINDS if kind in found}


class Retriever:
    """Holds the index, a BM25 model over the same texts, the query encoder and the learned chunk prior."""

    def __init__(self, built: BuiltIndex, encode: Callable[[str], np.ndarray], prior: ChunkPrior | None = None
                 ) -> None:
        self.built = built
        self.chunks = built.chunks
        self.encode = encode
        self.prior = prior
        self.placement = prior.place(built.chunks) if prior is not None else None
        titles = {c.chunk_id: c.title for c in self.chunks}
        self.bm25 = BM25([embedding_text(c, titles) for c in self.chunks])
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.names = NameIndex(self.chunks)
        # A group answers for its members' kind too: the precautions list is a precaution.
        self.intent_kinds = [self._member_kind(c) for c in self.chunks]
        self.kind_array = np.array(self.intent_kinds)
        # Row of each chunk's whole-text vector: views are stored chunk by chunk, whole text first.
        self.first_view = np.searchsorted(built.owners, np.arange(len(self.chunks)))

    def dense_scores(self, question: str) -> np.ndarray:
        """Per chunk: the mean of its whole-text cosine and its best part's cosine.

        Only the nearest DENSE_CANDIDATES vectors are scored; a chunk whose whole-text vector is not
        among them falls back to its best part, and a chunk with no vector there scores -1.
        """
        vector = self.encode(question).reshape(1, -1)
        similarities, rows = self.built.vectors.search(vector, min(self.built.vectors.ntotal, DENSE_CANDIDATES))
        found = rows[0] >= 0
        similarity, row = similarities[0][found].astype(np.float64), rows[0][found]
        owner = self.built.owners[row]
        best = np.full(len(self.chunks), -1.0, dtype=np.float64)
        np.maximum.at(best, owner, similarity)
        whole = np.full(len(self.chunks), np.nan, dtype=np.float64)
        first = row == self.first_view[owner]
        whole[owner[first]] = similarity[first]
        return np.where(np.isnan(whole), best, (whole + best) / 2)

    def rank(self, question: str, method: Method = "hybrid") -> Ranking:
        dense = self.dense_scores(question)
        lexical = self.bm25.scores(question)
        if method == "dense":
            fused = dense.copy()
        elif method == "bm25":
            fused = lexical.copy()
        else:
            fused = self._rrf(dense, lexical)
        words = for_matching(question).split()
        mentions = self.names.mentions(words)
        named = tuple(chunk_id for chunk_id, _, _ in mentions)
        asked = asked_names(question, words, mentions)
        kinds = intended_kinds(question)
        groups = [] if asked else list_groups(question, self.chunks, relief=len(asked) < len(mentions))
        if "precaution" in kinds:
            # "What should I do if an exercise hurts?" asks for a precaution, not for more exercises.
            groups = [(g, n) for g, n in groups if self.intent_kinds[self.position[g]] == "precaution"]
        prior = self.prior.probabilities(self.encode(question), self.placement, self._leading(fused, asked, groups)) \
            if self.prior is not None and self.placement is not None else None
        if method == "hybrid":
            if prior is not None:
                fused += PRIOR_WEIGHT * prior
            fused += INTENT_BOOST * np.isin(self.kind_array, list(kinds))
            for place, chunk_id in enumerate(asked):
                fused[self.position[chunk_id]] += NAME_BOOST - NAME_ORDER_STEP * place
            # More cues matched wins; equal counts leave the fused ranking to decide.
            for chunk_id, cues in groups:
                fused[self.position[chunk_id]] += GROUP_BOOST + GROUP_CUE_STEP * cues
        # Ties break by document order so the same question always ranks the same way.
        order = np.lexsort((np.arange(len(fused)), -fused)).tolist()
        return Ranking(order=order, scores=fused, dense=dense, lexical=lexical, named=named,
                       intents=frozenset(kinds), groups=tuple(chunk_id for chunk_id, _ in groups), prior=prior)

    def _leading(self, fused: np.ndarray, named: Sequence[str], groups: Sequence[tuple[str, int]]) -> int:
        """The chunk whose document the chunk prior re-ranks: the first named, else the list with the most
        cues (the fused order breaking ties), else the fused first."""
        if named:
            return self.position[named[0]]
        if groups:
            return max((cues, fused[self.position[g]], -self.position[g], self.position[g]) for g, cues in groups)[3]
        return int(np.argmax(fused))

    def _member_kind(self, chunk: Chunk) -> str:
        if chunk.kind != "group" or not chunk.members:
            return chunk.kind
        first = self.position.get(chunk.members[0])
        return self.chunks[first].kind if first is not None else chunk.kind

    @staticmethod
    def _rrf(dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        fused = np.zeros(len(dense), dtype=np.float64)
        for scores, weight, mask in ((dense, 1.0, np.ones(len(dense), bool)), (lexical, BM25_WEIGHT, lexical > 0)):
            ranks = np.empty(len(scores), dtype=np.int64)
            ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
            fused += np.where(mask, weight / (RRF_K + ranks + 1), 0.0)
        return fused

    def search(self, question: str, k: int = 5, method: Method = "hybrid") -> list[Hit]:
        ranking = self.rank(question, method)
        return [self.hit(i, float(ranking.scores[i])) for i in ranking.order[:k]]

    def hit(self, row: int, score: float) -> Hit:
        c = self.chunks[row]
        return Hit(chunk_id=c.chunk_id, title=c.title, section=c.section, text=c.text, kind=c.kind,
                   score=round(score, 6))
