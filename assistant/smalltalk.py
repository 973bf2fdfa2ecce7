"""Small talk: a short friendly reply to greetings, thanks, goodbyes, "who are you?" and "what can you do?"."""

from __future__ import annotations

import tomllib
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


@dataclass(frozen=True)
class Kind:
    """One kind of small talk: its rule set and the words its phrases are made of."""

    id: str
    rules: RuleSet
    words: frozenset[str]
    stems: tuple[str, ...]

    def fits(self, word: str) -> bool:
        return word in self.words or word.startswith(self.stems)


@dataclass(frozen=True)
class SmallTalk:
    """The kinds, in the order they are tried, the filler words allowed beside them, and the replies."""

    kinds: tuple[Kind, ...]
    filler: frozenset[str]
    emoji: dict[str, str]
    replies: dict[str, str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SmallTalk:
        shared = {key: data[key] for key in ("settings", "spelling", "words") if key in data}
        fixes = [line.split("->")[0].strip() for line in data.get("spelling", {}).get("fix", [])]
        kinds = []
        for category in data["category"]:
            words = {w for rule in category["rule"] for group in rule["need"].values()
                     for phrase in group for part in phrase.split() for w in part.split("/") if w != "..."}
            plain = frozenset({for_matching(w) for w in (*words, *fixes) if not w.endswith("*")} - {""})
            stems = tuple(sorted({for_matching(w[:-1]) for w in words if w.endswith("*")}))
            rules = RuleSet.from_dict({**shared, "category": [category]}, levels=[category["level"]])
            kinds.append(Kind(category["id"], rules, plain, stems))
        missing = {k.id for k in kinds} - set(data["replies"])
        if missing:
            raise ValueError(f"{RULES_FILE}: no reply for {sorted(missing)}")
        emoji = {symbol: kind for kind, symbols in data.get("emoji", {}).items() for symbol in symbols}
        replies = {kind: text.format(help=HELP_LINE) for kind, text in data["replies"].items()}
        filler = frozenset(for_matching(w) for w in data.get("words", {}).get("filler", []))
        return cls(tuple(kinds), filler, emoji, replies)

    def kind(self, message: str) -> str | None:
        """The kind of small talk a message is, or None when it asks or says anything more.

        Every word must belong to a kind the message matches, or be filler: "ok thanks bye" is small talk,
        "ok how do I do it" is a question.
        """
        symbols = "".join(message.split())
        if symbols and not any(ch.isalnum() for ch in symbols):
            return self._emoji_kind(symbols)
        words = for_matching(message).split()
        if not words or len(words) > MAX_WORDS:
            return None
        # Words first (microseconds), rules only for a message made of nothing else (tens per kind).
        if not all(w in self.filler or any(k.fits(w) for k in self.kinds) for w in words):
            return None
        matched = [k for k in self.kinds if k.rules.search([message]) is not None]
        if matched and all(w in self.filler or any(k.fits(w) for k in matched) for w in words):
            return matched[0].id
        return None

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
