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
class SmallTalk:
    """The rules, the words they are made of, and the reply to each kind."""

    rules: RuleSet
    vocabulary: frozenset[str]
    stems: tuple[str, ...]
    emoji: dict[str, str]
    replies: dict[str, str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SmallTalk:
        kinds = [c["id"] for c in data["category"]]
        words: set[str] = set(data.get("words", {}).get("filler", []))
        for category in data["category"]:
            for rule in category["rule"]:
                for phrase in (p for key, group in rule.items() if key not in ("within", "why") for p in group):
                    words.update(w for part in phrase.split() for w in part.split("/") if w != "...")
        fixes = [line.split("->")[0].strip() for line in data.get("spelling", {}).get("fix", [])]
        plain = {for_matching(w) for w in (*words, *fixes) if not w.endswith("*")} - {""}
        stems = tuple(sorted({for_matching(w[:-1]) for w in words if w.endswith("*")}))
        missing = set(kinds) - set(data["replies"])
        if missing:
            raise ValueError(f"{RULES_FILE}: no reply for {sorted(missing)}")
        emoji = {symbol: kind for kind, symbols in data.get("emoji", {}).items() for symbol in symbols}
        replies = {kind: text.format(help=HELP_LINE) for kind, text in data["replies"].items()}
        return cls(RuleSet.from_dict(data, levels=kinds), frozenset(plain), stems, emoji, replies)

    def kind(self, message: str) -> str | None:
        """The kind of small talk a message is, or None when it asks or says anything more."""
        symbols = "".join(message.split())
        if symbols and not any(ch.isalnum() for ch in symbols):
            kinds = {self._emoji_kind(symbols)}
            return kinds.pop() if len(kinds) == 1 and None not in kinds else None
        words = for_matching(message).split()
        if not words or len(words) > MAX_WORDS:
            return None
        if any(w not in self.vocabulary and not w.startswith(self.stems) for w in words):
            return None
        found = self.rules.search([message])
        return found.category.id if found else None

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
