"""Whether the article gives what a question needs, and the honest reply when it does not.

What a question needs ("how often", "how long to hold", pregnancy) is found with phrase rules in
`answerability.toml`; whether the chosen chunk gives it, from the chunk's own text (its steps, dose lines,
members and related passages). When it does not, the reply says so first, in a fixed form, then quotes the
closest lines the article does give, then says who can advise: a reader can always tell "the article says"
from "the article doesn't say".
"""

from __future__ import annotations

import tomllib
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant.chunk import sentences
from assistant.compose import source_line
from assistant.records import Chunk
from assistant.text import STOPWORDS, for_matching, stem
from assistant.triage import Found, RuleSet

RULES_FILE = "answerability.toml"
NOT_COVERED_LEAD = "The article doesn't "
# Lines quoted from other parts of the article when the chosen one has none that come close.
MAX_CLOSEST_LINES = 2
# Questions whose need is kept (a conversation's earlier messages are asked again on every turn).
NEED_CACHE = 4096


def says_not_covered(text: str) -> bool:
    """True when a reply opens by saying the article does not give (or cover) what was asked."""
    return text.lstrip("#* ").startswith(NOT_COVERED_LEAD)


@dataclass(frozen=True)
class Need:
    """One thing a question can need, and how a reply handles it (see the header of answerability.toml)."""

    id: str
    group: bool = False
    about_back: bool = False
    caution: str = ""
    lead: str = ""
    """What the reply opens with, in place of "The article doesn't say <says>"."""
    quote: str = ""
    says: str = ""
    advise: str = ""
    gives: RuleSet | None = None
    closest: RuleSet | None = None
    items: tuple[str, ...] = ()
    """Things the question may name, as stemmed word sequences ("foam roll")."""
    absent: bool = False
    pivots: frozenset[str] = frozenset()
    generic: frozenset[str] = frozenset()


def _words(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in for_matching(text).split())


def _phrases(data: dict[str, Any], texts: Sequence[str], name: str) -> RuleSet | None:
    """A one-category rule set that finds any of `texts` in a message, with the file's word lists and cues."""
    if not texts:
        return None
    shared = {key: data[key] for key in ("settings", "words", "spelling") if key in data}
    category = {"id": name, "level": "found", "label": name,
                "rule": [{"within": "message", "need": {"found": list(texts)}}]}
    return RuleSet.from_dict({**shared, "category": [category]}, levels=["found"])


def _expand(texts: Sequence[str], lists: Mapping[str, Sequence[str]]) -> list[str]:
    return [w for t in texts for w in (_expand(lists[t[1:]], lists) if t.startswith("@") else [t])]


class Answerability:
    """The needs, in the order they are tried, and the checks of a chunk against each."""

    def __init__(self, data: dict[str, Any]) -> None:
        specs: dict[str, dict[str, Any]] = data["needs"]
        order = [c["id"] for c in data["category"]]
        unknown = {n for n, spec in specs.items() if not spec.get("learned")} ^ set(order)
        if unknown:
            raise ValueError(f"{RULES_FILE}: needs and categories differ: {sorted(unknown)}")
        lists = data.get("words", {})
        self.rules = RuleSet.from_dict({k: v for k, v in data.items() if k != "needs"}, levels=["need"])
        # Whether a chunk's text gives a need depends on the two alone: found once per pair, for the process.
        self._given: dict[tuple[str, str], bool] = {}
        self.needs = {
            name: Need(id=name, group=bool(spec.get("group")), about_back=bool(spec.get("about_back")),
                       caution=spec.get("caution", ""), lead=spec.get("lead", ""),
                       quote=spec.get("quote", ""), says=spec.get("says", ""), advise=spec.get("advise", ""),
                       gives=_phrases(data, spec.get("gives", []), name),
                       closest=_phrases(data, spec.get("closest", []), name),
                       items=tuple(" ".join(_words(i.rstrip("*"))) for i in _expand(spec.get("items", []), lists)),
                       absent=bool(spec.get("absent")), pivots=frozenset(spec.get("pivots", [])),
                       generic=frozenset(spec.get("generic", [])))
            for name, spec in specs.items()}

    @lru_cache(maxsize=NEED_CACHE)  # noqa: B019 - one Answerability per process (`answerability()`)
    def _found(self, question: str) -> Found | None:
        """The rules' first match in the question, searched once: every turn asks it again of the conversation's
        earlier messages (a group they named), and an answer reads its need, its words and what it names from it."""
        return self.rules.search([question])

    def need(self, question: str) -> Need | None:
        """The first need, in the file's order, that the question shows."""
        found = self._found(question)
        return self.needs[found.category.id] if found else None

    def names_group(self, question: str) -> bool:
        """Whether a question names a group the article does not cover itself (a word group of a group need's rule
        other than the asking one: "pregnan*", an age of 60 or more, "herniat*"), however it asks."""
        return any(self.needs[rule.category].group and name != "ask" and live
                   for rule, name, live, _ in self.rules.groups_found([question]))

    def names_someone(self, question: str) -> bool:
        """Whether a question names the person it asks for ([words].someone): a group an earlier message named is
        then not carried to it."""
        return self.rules.mentions([question], "someone")

    def unknown(self, need: Need, question: str, vocabulary: Container[str]) -> list[str]:
        """The words naming what a question asks about that the article never uses (for a need marked `absent`)."""
        found = self._found(question) if need.absent else None
        if found is None:
            return []
        words = for_matching(found.evidence).split()
        named = [w for w in dict.fromkeys(words[:next((i for i, w in enumerate(words) if w in need.pivots), None)])
                 if w not in need.generic and w not in STOPWORDS and not w.isdigit()]
        # A description the article partly uses ("lying face down pretending to fly") is not a name it lacks.
        return named if named and all(stem(w) not in vocabulary for w in named) else []

    def gives(self, need: Need, chunk: Chunk, by_id: Mapping[str, Chunk], question: str) -> bool:
        """Whether the chunk (with its members and related passages) gives what the question needs."""
        asked = self._asked(question, need.id)
        named = [item for item in need.items if _contains(asked, item)]
        if named:
            return any(_contains(_words(_chunk_text(chunk, by_id)), item) for item in named)
        return self._gives(need.id, chunk, by_id)

    @lru_cache(maxsize=NEED_CACHE)  # noqa: B019 - one Answerability per process (`answerability()`)
    def _asked(self, question: str, need_id: str) -> tuple[str, ...]:
        """The words of the sentences that ask for the need: the place asked about is the one in "can I do it in
        bed?", not the floor of "can't get on the floor easy" after it."""
        found = self._found(question)
        return _words(found.evidence if found is not None and found.category.id == need_id else question)

    def _gives(self, need_id: str, chunk: Chunk, by_id: Mapping[str, Chunk]) -> bool:
        text = _chunk_text(chunk, by_id)
        key = (need_id, text)
        if key not in self._given:
            rules = self.needs[need_id].gives
            self._given[key] = rules is not None and rules.search([text]) is not None
        return self._given[key]

    def closest_lines(self, need: Need, chunks: Sequence[Chunk]) -> list[tuple[str, Chunk]]:
        """Sentences that come closest to the need, from the chunks in the order given (best first)."""
        if need.closest is None:
            return []
        found: list[tuple[str, Chunk]] = []
        for chunk in chunks:
            for line in _lines(chunk):
                if len(found) < MAX_CLOSEST_LINES and need.closest.search([line]) is not None:
                    found.append((line, chunk))
            if found and found[0][1] is chunks[0]:
                break
        return found


def _lines(chunk: Chunk) -> list[str]:
    """Its steps, then every sentence of its text (bullets unmarked), each once."""
    prose = (s for block in chunk.text.split("\n\n") for s in sentences(block.lstrip("• ")))
    return list(dict.fromkeys([*chunk.steps, *prose]))


def _contains(words: tuple[str, ...], item: str) -> bool:
    wanted = tuple(item.split())
    return any(words[i:i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


@lru_cache(maxsize=512)
def _chunk_text_cached(chunk: Chunk, members: tuple[Chunk, ...]) -> str:
    return " ".join([chunk.text, " ".join(chunk.aliases), *(m.text for m in members)])


def _chunk_text(chunk: Chunk, by_id: Mapping[str, Chunk]) -> str:
    members = tuple(by_id[m] for m in (*chunk.members, *chunk.related) if m in by_id)
    return _chunk_text_cached(chunk, members)


def subject(chunk: Chunk) -> str:
    """What {it} stands for in a need's wording: the exercise by name, else "these exercises"."""
    return f"the {chunk.title}" if chunk.kind in ("exercise", "mention") else "these exercises"


def not_covered_line(need: Need, chunk: Chunk, unknown: Sequence[str] = ()) -> str:
    """What the article does not say, in bold: the first thing the reply says."""
    if need.lead:
        return f"**{need.lead}**"
    return f"**{NOT_COVERED_LEAD}say {need.says.format(it=subject(chunk), subject=' '.join(unknown))}.**"


def not_covered(need: Need, lines: Sequence[tuple[str, Chunk]], fallback: str) -> str:
    """After `not_covered_line`: the closest lines the article does give, cited (or, with none, what it does
    say about the chosen part), then who can advise."""
    parts = []
    if lines:
        parts.append("The closest it gives:")
        for quoted_from in dict.fromkeys(c for _, c in lines):
            quoted = "\n".join(f"> {line}" for line, c in lines if c is quoted_from)
            parts.append(f"{quoted}\n\n{source_line(quoted_from)}")
    else:
        parts += ["Here is what it does say:", fallback]
    parts.append(need.advise)
    return "\n\n".join(p for p in parts if p)


def caution_line(need: Need) -> str:
    """A group the article does not cover: the caution and who to ask, said before anything else."""
    return f"**{need.caution}**"


def quote_caution(chunk: Chunk, see: Chunk | None) -> str:
    """The article's own "stop if it hurts" sentence, then the precaution it points to."""
    parts = [f"**The article says:** “{chunk.caution}”"]
    if see is not None:
        parts.append(f"### {see.title}\n\n{see.text}\n\n{source_line(see)}")
    return "\n\n".join(parts)


@lru_cache(maxsize=1)
def answerability() -> Answerability:
    """The bundled rules, read once."""
    return Answerability(tomllib.loads(resources.files("assistant").joinpath(RULES_FILE).read_text("utf-8")))
