"""Small talk: a short friendly reply to greetings, thanks, goodbyes, "who are you?" and "what can you do?"."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant.compose import HELP_LINE
from assistant.text import for_matching
from assistant.triage import RuleSet

RULES_FILE = "smalltalk.toml"
# A message longer than this is a question with a greeting in front, not small talk.
MAX_WORDS = 12
# The words of a name that may follow a letter's closing ("Kind regards, Margaret Ellis").
SIGNATURE_WORDS = 3
# Where small talk that opens a message may end: a clause's punctuation or a dash between words ("thanks!! and is
# swimming good too", "ok - what about the bridge"); "right side or left?" has none after "right".
CLAUSE_BREAK = re.compile(r"[.!?,;:]+|\s[-–—]+\s")


@dataclass(frozen=True)
class Vocabulary:
    """The plain words and the stems (phrases ending in "*") of a phrase list, folded for matching."""

    words: frozenset[str]
    stems: tuple[str, ...]

    @classmethod
    def of(cls, phrases: list[str]) -> Vocabulary:
        words = {w for phrase in phrases for part in phrase.split() for w in part.split("/") if w != "..."}
        plain = frozenset({for_matching(w) for w in words if not w.endswith("*")} - {""})
        return cls(plain, tuple(sorted({for_matching(w[:-1]) for w in words if w.endswith("*")})))

    def fits(self, word: str) -> bool:
        return word in self.words or word.startswith(self.stems)


@dataclass(frozen=True)
class Kind:
    """One kind of small talk: its rule set and the words its phrases are made of."""

    id: str
    rules: RuleSet
    vocabulary: Vocabulary

    def fits(self, word: str) -> bool:
        return self.vocabulary.fits(word)


@dataclass(frozen=True)
class Never:
    """What small talk never is: a message naming health, or asking what something is (`[never]`)."""

    health: Vocabulary
    definition: tuple[tuple[str, ...], ...]
    fixes: dict[str, str]

    def health_question(self, message: str, chatty: Callable[[str], bool]) -> bool:
        """Whether `message` names a health word, or asks "what is X?" with an X that is not small talk
        (`chatty`: "what are you?" is small talk, "what is COPD?" is not)."""
        words = [self.fixes.get(w, w) for w in for_matching(message).split()]
        if any(self.health.fits(w) for w in words):
            return True
        for start in range(len(words)):
            cue = next((c for c in self.definition if tuple(words[start:start + len(c)]) == c), None)
            if cue is not None:
                rest = words[:start] + words[start + len(cue):]
                if any(not chatty(w) for w in rest):
                    return True
        return False


@dataclass(frozen=True)
class SmallTalk:
    """The kinds, in the order they are tried, the filler words allowed beside them, and the replies."""

    kinds: tuple[Kind, ...]
    filler: frozenset[str]
    sign_offs: tuple[tuple[str, ...], ...]
    emoji: dict[str, str]
    replies: dict[str, str]
    never: Never
    question_openings: frozenset[str]
    conjunctions: frozenset[str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SmallTalk:
        shared = {key: data[key] for key in ("settings", "spelling", "words") if key in data}
        fixes = [line.split("->")[0].strip() for line in data.get("spelling", {}).get("fix", [])]
        words = data.get("words", {})
        kinds = []
        for category in data["category"]:
            phrases = [named for rule in category["rule"] for group in rule["need"].values() for phrase in group
                       for named in (words.get(phrase[1:], [phrase]) if phrase.startswith("@") else [phrase])]
            rules = RuleSet.from_dict({**shared, "category": [category]}, levels=[category["level"]])
            kinds.append(Kind(category["id"], rules, Vocabulary.of(phrases + fixes)))
        missing = {k.id for k in kinds} - set(data["replies"])
        if missing:
            raise ValueError(f"{RULES_FILE}: no reply for {sorted(missing)}")
        emoji = {symbol: kind for kind, symbols in data.get("emoji", {}).items() for symbol in symbols}
        replies = {kind: text.format(help=HELP_LINE) for kind, text in data["replies"].items()}
        filler = frozenset(for_matching(w) for w in words.get("filler", []))
        sign_offs = tuple(tuple(for_matching(p).split()) for p in words.get("sign_off", []))
        never = data["never"]
        health = Vocabulary.of(never["health"])
        single = {w.strip(): fixed.strip() for w, fixed in (line.split("->") for line in
                                                             data.get("spelling", {}).get("fix", []))}
        definition = tuple(tuple(for_matching(cue).split()) for cue in never["definition"])
        return cls(tuple(kinds), filler, sign_offs, emoji, replies, Never(health, definition, single),
                   frozenset(words.get("question_opening", [])), frozenset(words.get("conjunction", [])))

    def kind(self, message: str) -> str | None:
        """The kind of small talk a message is, or None when it asks or says anything more.

        Every word must belong to a kind the message matches, or be filler: "ok thanks bye" is small talk,
        "ok how do I do it" is a question.
        """
        symbols = "".join(message.split())
        if symbols and not any(ch.isalnum() for ch in symbols):
            return self._emoji_kind(symbols)
        words = self._unsigned(for_matching(message).split())
        if not words or len(words) > MAX_WORDS:
            return None
        # Words first (microseconds), rules only for a message made of nothing else (tens per kind).
        if not all(w in self.filler or any(k.fits(w) for k in self.kinds) for w in words):
            return None
        matched = [k for k in self.kinds if k.rules.search([message]) is not None]
        if matched and all(w in self.filler or any(k.fits(w) for k in matched) for w in words):
            return matched[0].id
        return None

    def question_after(self, message: str) -> str:
        """The message after the small talk it opens with, up to a clause break ("cheers. what about the
        superman" asks about the Superman); the message itself when it opens with none or says nothing more."""
        rest = message
        for found in CLAUSE_BREAK.finditer(message):
            if self.kind(message[:found.start()]) is None:
                break
            if self._asks(message[found.end():]):
                rest = message[found.end():].strip()
        return rest

    def _asks(self, text: str) -> bool:
        """Whether text asks something: it ends with a question mark or opens (after a conjunction) as a question."""
        words = for_matching(text).split()
        opening = next((w for w in words if w not in self.conjunctions), None)
        return opening is not None and (text.rstrip().endswith("?") or opening in self.question_openings)

    def _unsigned(self, words: list[str]) -> list[str]:
        """The words without the name after a letter's closing ("kind regards margaret" -> "kind regards"). Only the
        message's last words can hold one, so a long message is not searched through."""
        longest = max(map(len, self.sign_offs), default=0)
        for start in range(max(len(words) - longest - SIGNATURE_WORDS, 0), len(words)):
            closing = next((c for c in self.sign_offs if tuple(words[start:start + len(c)]) == c), None)
            if closing is not None and len(words) - start - len(closing) <= SIGNATURE_WORDS:
                return words[:start + len(closing)]
        return words

    def may_be(self, message: str) -> bool:
        """Whether a message the phrase rules did not match may still be small talk (the learned small talk's
        guard): a health question never is."""
        return not self.never.health_question(message, self._chatty)

    def _chatty(self, word: str) -> bool:
        return word in self.filler or any(k.fits(word) for k in self.kinds)

    def _emoji_kind(self, symbols: str) -> str | None:
        """One kind for a message of emoji only, matching the longest symbol first (❤️ before ❤)."""
        kinds = set()
        rest = symbols
        ordered = sorted(self.emoji, key=len, reverse=True)
        while rest:
            symbol = next((s for s in ordered if rest.startswith(s)), None)
            if symbol is None:
                if not rest[0].isspace() and rest[0] not in "!.?,":
                    return None
                rest = rest[1:]
                continue
            kinds.add(self.emoji[symbol])
            rest = rest[len(symbol):]
        return kinds.pop() if len(kinds) == 1 else None

    def reply(self, kind: str) -> str:
        return self.replies[kind]


@lru_cache(maxsize=1)
def small_talk() -> SmallTalk:
    """The bundled rules, read once."""
    text = resources.files("assistant").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return SmallTalk.from_dict(tomllib.loads(text))
