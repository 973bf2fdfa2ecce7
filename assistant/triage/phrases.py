"""The phrase matcher: the phrase syntax of the rule files, and the lexicon that reads words as the rules mean them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from assistant.fuzzy import OneEditIndex
from assistant.text import PUNCTUATION, SENTENCE_END, TRIPLE, plain

MAX_CACHED_WORDS = 50_000
LONGEST_WORD = 30  # longer tokens are not words anyone means; they are left as they are
MAX_GUESSES = 3000
NUMBER = re.compile(r"#(\d+)-(\d+)")
_NO_ITEMS: frozenset[int] = frozenset()


def trie_pattern(words: Iterable[str]) -> str:
    """A regex for "starts with one of `words`" laid out as a trie: one pass per word, not a try per stem."""
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie) if trie else "(?!)"


@dataclass(frozen=True)
class Item:
    """One slot of a phrase: any of some words, any word starting with one of some stems, or a whole number
    within a range ("#65-110", for ages)."""

    words: frozenset[str]
    stems: tuple[str, ...]
    numbers: tuple[tuple[int, int], ...] = ()

    def accepts(self, word: str) -> bool:
        if word in self.words or (bool(self.stems) and word.startswith(self.stems)):
            return True
        return bool(self.numbers) and word.isdigit() and any(lo <= int(word) <= hi for lo, hi in self.numbers)


Phrase = tuple[Item | int, ...]  # items, with an int for "up to that many other words" between two


def parse_phrase(text: str, gap: int = 3) -> Phrase:
    """Reads the phrase syntax of the rule files: "can't ... pee/wee", "numb*", "#65-110", "... ..." for a
    longer gap."""
    steps: list[Item | int] = []
    for part in text.split():
        if part == "...":
            if not steps:
                raise ValueError(f"phrase {text!r} starts with '...'")
            if isinstance(steps[-1], int):
                steps[-1] += gap
            else:
                steps.append(gap)
            continue
        words, stems, numbers = set(), [], []
        for alt in part.split("/"):
            if (number := NUMBER.fullmatch(alt)) is not None:
                numbers.append((int(number.group(1)), int(number.group(2))))
            elif alt.endswith("*"):
                stems.append(plain(alt[:-1]))
            else:
                words.add(plain(alt))
        if "" in words or "" in stems:
            raise ValueError(f"empty word in phrase {text!r}")
        steps.append(Item(frozenset(words), tuple(stems), tuple(numbers)))
    if not steps or isinstance(steps[-1], int):
        raise ValueError(f"phrase {text!r} is empty or ends with '...'")
    return tuple(steps)


def match(phrase: Phrase, words: Sequence[str], pos: int, limit: int, k: int = 0) -> int:
    """End of the shortest match of phrase[k:] starting at `pos` and not reaching `limit`, or -1."""
    if k == len(phrase):
        return pos
    step = phrase[k]
    if isinstance(step, int):
        item = phrase[k + 1]
        assert isinstance(item, Item)
        for j in range(pos, min(pos + step + 1, limit)):
            if item.accepts(words[j]):
                end = match(phrase, words, j + 1, limit, k + 2)
                if end >= 0:
                    return end
        return -1
    if pos < limit and step.accepts(words[pos]):
        return match(phrase, words, pos + 1, limit, k + 1)
    return -1


def span(phrase: Phrase) -> int:
    """The most words a match of the phrase can cover."""
    return sum(1 if isinstance(step, Item) else step for step in phrase)


class Word(NamedTuple):
    """What a token is: the word meant, the phrases that may start at it, the items it fits.

    A named tuple rather than a dataclass: one is made per distinct token, and a long message can have 30,000.
    """

    word: str
    starts: tuple[int, ...] = ()
    items: frozenset[int] = _NO_ITEMS


class Lexicon:
    """All phrases of a rule set, indexed by first word, and the clean-up (spelling, typos) of text words."""

    def __init__(self, fixes: dict[str, str], fuzzy: Sequence[str], keep: Sequence[str],
                 english: frozenset[str] = frozenset()) -> None:
        """`keep` and `english` are real words never read as a slip of a fuzzy word, except for an ending (English
        "steroid" is still "steroids", "chill" still "chills")."""
        self.phrases: list[Phrase] = []
        self.spans: list[int] = []  # the most words a match of each phrase can cover
        self.phrase_items: list[tuple[int, ...]] = []
        self._ids: dict[Phrase, int] = {}
        self._items: dict[Item, int] = {}
        self._item_words: dict[str, list[int]] = {}
        self._item_stems: dict[str, list[int]] = {}
        self._item_numbers: list[tuple[Item, int]] = []
        self._first_words: dict[str, list[int]] = {}
        self._first_stems: dict[str, list[int]] = {}
        self._first_numbers: list[tuple[Item, int]] = []
        self._stem_re: re.Pattern[str] | None = None  # built on first use, after all phrases are added
        self._max_stem = 0
        self.flags: dict[str, int] = {}  # word -> bits of the terminator categories it belongs to
        self._fixes = {plain(a): plain(b) for a, b in fixes.items()}
        self._keep = frozenset(map(plain, keep))
        self._english = english
        self._fuzzy = OneEditIndex(map(plain, fuzzy))
        # A word one edit away from a fuzzy word keeps its first or its last letters (2 if short, else 3).
        self._fuzzy_ends = {w[:n] for w in map(plain, fuzzy) for n in (2, 3)}
        self._fuzzy_ends |= {"~" + w[-n:] for w in map(plain, fuzzy) for n in (2, 3)}
        self._cache: dict[str, Word] = {}

    def add(self, text: str, gap: int) -> int:
        """The id of a phrase, adding it if new."""
        phrase = parse_phrase(text, gap)
        if phrase in self._ids:
            return self._ids[phrase]
        pid = self._ids[phrase] = len(self.phrases)
        self.phrases.append(phrase)
        self.spans.append(span(phrase))
        items = []
        for step in phrase:
            if isinstance(step, Item):
                if step not in self._items:
                    iid = self._items[step] = len(self._items)
                    for word in step.words:
                        self._item_words.setdefault(word, []).append(iid)
                    for stem in step.stems:
                        self._item_stems.setdefault(stem, []).append(iid)
                    if step.numbers:
                        self._item_numbers.append((step, iid))
                items.append(self._items[step])
        self.phrase_items.append(tuple(items))
        first = phrase[0]
        assert isinstance(first, Item)
        for word in first.words:
            self._first_words.setdefault(word, []).append(pid)
        for stem in first.stems:
            self._first_stems.setdefault(stem, []).append(pid)
        if first.numbers:
            self._first_numbers.append((first, pid))
        self._stem_re = None
        self.forget()
        return pid

    def set_flag(self, words: Iterable[str], bit: int) -> None:
        """Mark single words as terminators of one category (a bit in `flags`)."""
        for word in map(plain, words):
            self.flags[word] = self.flags.get(word, 0) | bit
        self.forget()

    def forget(self) -> None:
        self._cache.clear()

    def _guess(self, word: str, repeats: bool) -> str:
        """An unknown word as probably meant: repeated letters squeezed ("sooo"), a one-letter slip fixed."""
        if len(word) > LONGEST_WORD:
            return word
        if repeats and TRIPLE.search(word):
            for squeezed in (TRIPLE.sub(r"\1\1", word), TRIPLE.sub(r"\1", word)):
                fixed = self._fixes.get(squeezed, squeezed)
                if fixed in self._item_words or self._stems.match(fixed):
                    return fixed
            word = TRIPLE.sub(r"\1\1", word)
        ends, n = self._fuzzy_ends, 2 if len(word) < 6 else 3
        if len(word) >= 5 and (word[:n] in ends or "~" + word[-n:] in ends) and word not in self._keep:
            near = self._fuzzy.near(word)
            if near and (word not in self._english or near[0].startswith(word) or word.startswith(near[0])):
                return near[0]
        return word

    def _known(self, word: str) -> Word:
        starts = list(self._first_words.get(word, ()))
        items = list(self._item_words.get(word, ()))
        for n in range(1, min(len(word), self._max_stem) + 1):
            stem = word[:n]
            if stem not in self._item_stems:
                continue
            starts += self._first_stems.get(stem, ())
            items += self._item_stems.get(stem, ())
        if word.isdigit():
            starts += [pid for item, pid in self._first_numbers if item.accepts(word)]
            items += [iid for item, iid in self._item_numbers if item.accepts(word)]
        return Word(word, tuple(sorted(set(starts))), frozenset(items))

    def _dropped_g(self, word: str, fits: bool) -> bool:
        """Whether `word` is an "-ing" word with its g dropped as it is spoken ("been wettin myself", "leakin",
        "temp keeps spikin"): one the rules know with the g, and not English as it is ("pain", "skin"). A stem
        may fit it already ("leak*"), but a phrase that names the "-ing" word ("leaking a bit") needs that word."""
        if not word.endswith("in") or len(word) < 4 or word in self._english or word in self._item_words:
            return False
        return word + "g" in self._item_words or not fits and self._fits(word + "g")

    def _fits(self, word: str) -> bool:
        if word in self._item_words or self._stems.match(word) is not None:
            return True
        return word.isdigit() and any(item.accepts(word) for item, _ in self._item_numbers)

    def learn(self, raws: Iterable[str], repeats: bool) -> dict[str, Word]:
        """What each distinct token is, working out only the ones not seen before.

        Guessing at typos stops after MAX_GUESSES new words in one message: real messages never get there,
        and it keeps a pasted wall of text fast.
        """
        if len(self._cache) > MAX_CACHED_WORDS:
            self.forget()
        if self._stem_re is None:
            self._max_stem = max(map(len, self._item_stems), default=0)
            self._stem_re = re.compile(trie_pattern(self._item_stems))
        # A local copy: another thread may clear the shared cache meanwhile.
        found = dict(zip(distinct := set(raws), map(self._cache.get, distinct), strict=True))
        cache, fixes = self._cache, self._fixes
        guesses = MAX_GUESSES
        for raw in [raw for raw, known in found.items() if known is None]:
            if raw[0] in PUNCTUATION:
                known = Word("?" if "?" in raw else "." if raw[0] in SENTENCE_END else ",")
            else:
                word = raw.replace("'", "") if "'" in raw else raw
                word = fixes.get(word, word)
                if repeats and TRIPLE.search(word):
                    # "numbnesss": a stem ("numb*") fits it, but the word meant is "numbness".
                    word = next((w for w in (TRIPLE.sub(r"\1\1", word), TRIPLE.sub(r"\1", word))
                                 if fixes.get(w, w) in self._item_words), word)
                    word = fixes.get(word, word)
                fits = self._fits(word)
                if self._dropped_g(word, fits):
                    word, fits = word + "g", True
                if not fits and guesses and not word.isdigit():
                    guesses -= 1
                    meant = self._guess(word, repeats)
                    if meant != word:
                        word, fits = meant, self._fits(meant)
                known = self._known(word) if fits else Word(word)
            cache[raw] = found[raw] = known
        return cast(dict[str, Word], found)  # every None is filled in by now

    @property
    def _stems(self) -> re.Pattern[str]:
        assert self._stem_re is not None, "learn() builds the stem pattern"
        return self._stem_re
