"""Read a chat history and resolve follow-ups ("how long do I hold it?") without a language model.

The topic a follow-up leans on is state carried as data: an assistant message in the history may carry the
`chunk_ids` its reply returned. Only a message without them (a plain-text client) is read for its
"Source:" line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from assistant.answer_policy import cues_of
from assistant.compose import SOURCE_PREFIX, Aspect
from assistant.records import Chunk
from assistant.text import STOPWORDS, clean, for_matching, stem

# The parts of an exercise a question can ask about, tried in this order; the words that show each are the cues
# of the same names in answer_policy.toml, as are those of the places in a list and of "gentler" / "harder".
ASPECTS: tuple[Aspect, ...] = ("other_side", "dose", "targets", "steps")
PLACES = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1}
# "Something gentler" goes to the group whose cues include "gentle"; gentle is tried first ("too hard, harder
# on my knees").
INTENSITY = ("gentle", "harder")


# How many replies back a list is still what "the <word> one" picks from, and how many of the user's messages back
# two parts named together are what "the other one" picks from.
LIST_MEMORY = 3
# A question's word this long or longer that a name's word starts or ends with names it ("lifting" the Deadlift).
NAME_PART = 4

# A message of at most this many words that asks the previous answer why or for an example ("why?", "like what?")
# leans on it, whatever it was.
ASKS_MORE_WORDS = 4
# Words in many exercise names, which single none of them out.
GENERIC_NAME_WORDS = frozenset({"one", "stretch", "exercise", "pose", "lower", "back", "the"})


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    chunk_ids: tuple[str, ...] | None = None
    """The reply's `chunk_ids` when the client sent them back; None when it sent only text."""


def content_text(content: Any) -> str:
    """A message's text, whether a plain string (API) or a list of `{"type": "text"}` parts (browser)."""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        return content_text(content.get("text", content.get("content", "")))
    if isinstance(content, Sequence):
        return " ".join(content_text(part) for part in content)
    return ""


def read_history(history: Sequence[Mapping[str, Any]] | None, max_turns: int) -> list[Turn]:
    """Validate and flatten a chat history; only its last `max_turns` messages matter."""
    if history is None:
        return []
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise TypeError(f"history must be a list of {{'role', 'content'}} dicts, not {type(history).__name__}")
    turns: list[Turn] = []
    for message in history:
        if not isinstance(message, Mapping):
            raise TypeError(f"each history item must be a dict with 'role' and 'content', not {type(message).__name__}")
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise ValueError(f"history role must be 'user' or 'assistant', not {role!r}")
        turns.append(Turn(role=role, text=clean(content_text(message.get("content", ""))),
                          chunk_ids=chunk_ids_of(message)))
    return turns[-max_turns:] if max_turns else turns


def chunk_ids_of(message: Mapping[str, Any]) -> tuple[str, ...] | None:
    """A history message's `chunk_ids` (absent or null: None); anything but a list of strings is refused."""
    ids = message.get("chunk_ids")
    if ids is None:
        return None
    if isinstance(ids, str | bytes) or not isinstance(ids, Sequence) or not all(isinstance(i, str) for i in ids):
        raise TypeError("a history item's chunk_ids must be a list of strings (the reply's chunk_ids)")
    return tuple(ids)


def user_messages(turns: Sequence[Turn]) -> list[str]:
    return [t.text for t in turns if t.role == "user"]


def topics(turns: Sequence[Turn], by_id: Mapping[str, Chunk], by_label: Mapping[str, Chunk]) -> Iterator[Chunk | None]:
    """The chunk each assistant reply came from, latest first: its first known chunk id, or for a message that
    carries none, the chunk its last "Source:" line names (None when neither is known)."""
    for turn in reversed(turns):
        if turn.role == "assistant":
            yield _topic(turn, by_id, by_label)


def _topic(turn: Turn, by_id: Mapping[str, Chunk], by_label: Mapping[str, Chunk]) -> Chunk | None:
    if turn.chunk_ids is not None:
        return next((by_id[i] for i in turn.chunk_ids if i in by_id), None)
    for line in reversed(turn.text.split("*")):
        label = line.strip()
        if label.startswith(SOURCE_PREFIX) and label[len(SOURCE_PREFIX):] in by_label:
            return by_label[label[len(SOURCE_PREFIX):]]
    return None


def last_topic(turns: Sequence[Turn], by_id: Mapping[str, Chunk], by_label: Mapping[str, Chunk]) -> Chunk | None:
    """The chunk the latest assistant reply drawn from the article came from, among the last `LIST_MEMORY` replies:
    small talk or a refusal in between ("thanks!", "should I get an MRI?") draws on none, and "how long do I hold
    it?" after it still asks about the exercise before."""
    return next((t for t in islice(topics(turns, by_id, by_label), LIST_MEMORY) if t is not None), None)


def recent_list(turns: Sequence[Turn], by_id: Mapping[str, Chunk], by_label: Mapping[str, Chunk]) -> Chunk | None:
    """The latest list among the last `LIST_MEMORY` replies: "ok the lifting one then" after a list and then one
    of its members picks from the list, not from the member."""
    return next((t for t in islice(topics(turns, by_id, by_label), LIST_MEMORY) if t is not None and t.kind == "group"),
                None)


def exercises_named(chunk: Chunk, find: Callable[[str], Sequence[str]], by_id: Mapping[str, Chunk]) -> Chunk | None:
    """A passage that names two or more exercises ("such as a child's pose or knee-to-chest stretches"), read as a
    list of them in the order named: what "the first one" or "the knee one" after it picks from. None otherwise."""
    if chunk.kind in ("group", "exercise"):
        return None
    named = tuple(i for i in find(chunk.text) if i != chunk.chunk_id and i in by_id and by_id[i].kind == "exercise")
    return replace(chunk, kind="group", members=named) if len(named) >= 2 else None


def aspect_of(question: str) -> Aspect:
    """Which part of an exercise a question asks about; the whole card when it names none."""
    found = cues_of(question)
    return next((aspect for aspect in ASPECTS if aspect in found), "card")


def refers_back(question: str) -> bool:
    """Whether a question has a word that leans on the previous answer ("it", "that one", "what else")."""
    return "refers_back" in cues_of(question)


@dataclass(frozen=True)
class FollowUp:
    """The chunk and aspect a question leans on; `explicit` when it asked for that plainly
    ("the second one", "something gentler", "how long") rather than by a bare "it"."""

    chunk_id: str
    aspect: Aspect
    explicit: bool


def member_named(text: str, topic: Chunk, by_id: Mapping[str, Chunk]) -> str | None:
    """After a list, "the cat one", "the lifting one" or "the one with the bench": the one member whose name uses
    one of the question's words (or has it as a part: "lift" in "Deadlift"), else the one whose aliases do; None
    when none or several do. Names first: the Bridge's alias "hip lift" would make "lifting" ambiguous."""
    if topic.kind != "group":
        return None
    words = {stem(w) for w in text.split() if w not in STOPWORDS} - GENERIC_NAME_WORDS
    members = [by_id[m] for m in topic.members if m in by_id]
    for names_of in (lambda c: (c.title,), lambda c: c.aliases):
        found = [c.chunk_id for c in members if _uses_a_word(words, names_of(c))]
        if found:
            return found[0] if len(found) == 1 else None
    return None


def _uses_a_word(words: set[str], names: Sequence[str]) -> bool:
    used = {stem(w) for name in names for w in for_matching(name).split()}
    return bool(words & used) or any(len(w) >= NAME_PART and n != w and (n.startswith(w) or n.endswith(w))
                                     for w in words for n in used)


def resolve_follow_up(question: str, topic: Chunk | None, by_id: Mapping[str, Chunk],
                      listed: Chunk | None = None,
                      pair: Callable[[], Sequence[str]] = tuple) -> FollowUp | None:
    """Map a question that may lean on the previous turn to a chunk and aspect; None when it cannot.

    After an exercise, any short question is taken as about it unless the caller sees a topic of its
    own in it; after a passage, only "tell me more about it" or "how do I do it" leans back. "The <word> one"
    picks a member of `listed` (the latest recent list) when the previous reply was not that list, else of a list
    the previous exercise belongs to ("the bench one" after the Deadlift); "the last one" picks from `listed` too
    ("how long do I hold the first one?", then "and the last one?"); "the other one" is the other of `pair()`,
    two parts the user named together, when the previous reply was one of them (found only for a question that
    says "other": reading the history for names is work most questions skip); a few words asking why or for an
    example ("why?", "like what?") lean on the previous reply, whatever it was.
    """
    if topic is None:
        return None
    text = for_matching(question)
    if len(text) >= 120:
        return None
    together = pair() if "other" in text.split() else ()
    if len(set(together)) == 2 and topic.chunk_id in together:
        return FollowUp(next(p for p in together if p != topic.chunk_id), aspect_of(question), explicit=True)
    found = cues_of(question)
    groups = [c for c in by_id.values() if c.kind == "group"]
    intensity = found.first_listed(INTENSITY)
    if intensity is not None:
        target = next((g for g in groups if intensity in g.cues), None)
        return FollowUp(target.chunk_id, "card", explicit=True) if target else None
    shown = listed if listed is not None and listed is not topic else None
    named = member_named(text, topic, by_id)
    if named is None and "one" in text.split():
        lists = ([shown] if shown is not None else []) + [g for g in groups if topic.chunk_id in g.members]
        named = next((m for m in (member_named(text, g, by_id) for g in lists) if m is not None), None)
    if named is not None:
        return FollowUp(named, aspect_of(question), explicit=True)
    if "asks_more" in found and len(text.split()) <= ASKS_MORE_WORDS:
        return FollowUp(topic.chunk_id, "card", explicit=True)
    ordinal = found.first_written(PLACES)
    ordered = topic if topic.kind == "group" else shown
    if ordered is not None and ordinal is not None and ordered.members:
        place = PLACES[ordinal]
        if place < len(ordered.members):
            return FollowUp(ordered.members[place], aspect_of(question), explicit=True)
    aspect = aspect_of(question)
    if topic.kind in ("exercise", "mention"):
        return FollowUp(topic.chunk_id, aspect, explicit=aspect != "card")
    if aspect in ("card", "steps") and refers_back(question):
        return FollowUp(topic.chunk_id, "card", explicit=False)
    if aspect in ("dose", "other_side"):
        # "How many times?" after a passage that recommends exercises asks about what it just said, unless the
        # caller sees a topic of its own in it.
        return FollowUp(topic.chunk_id, aspect, explicit=False)
    return None
