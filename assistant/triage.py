"""Red-flag triage: finds, anywhere in a conversation, signs that need urgent care instead of exercises."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate, compress, count, islice
from typing import Any, Literal, NamedTuple, cast

from assistant.text import within_one_edit

Level = Literal["emergency", "urgent", "none"]

EVIDENCE_CHARS = 160
_WITHIN = ("sentence", "message", "conversation")
_RULE_KEYS = {"why", "within", "near", "except_in", "unless", "past_counts"}
# "is it normal to...", "is that ok": asking about a sign, not denying it.
_QUESTION_LEAD = frozenset({"it", "this", "that", "thats", "is", "its", "be"})
_ASKING = _QUESTION_LEAD - {"is", "its"}  # "bladder is fine" tells; "is that fine" asks
_SENTENCE, _BREAK, _RESOLVED_BREAK = 1, 2, 4
_SENTENCE_WORDS = frozenset({".", "?"})
_MAX_CACHED_WORDS = 50_000
_LONGEST_WORD = 30  # longer tokens are not words anyone means; they are left as they are
_MAX_GUESSES = 3000
_CACHED_MESSAGE_CHARS = 4000
_CONTEXT = 16  # words either side of a match that can change whether it counts (cues, exceptions)
_NO_ITEMS: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Triage:
    """The most urgent red flag in a conversation, with the user's own words that raised it."""

    level: Level
    category: str | None = None
    label: str | None = None
    evidence: str | None = None


# ───────────────────────── text: folding and words ─────────────────────────

# Every spelling of "can't" reads as one word; the replacement is padded so positions still match the input.
_CANT = re.compile(
    r"\b(?:can *not|can'?t|could *not|couldn'?t|cannae|unable +to|"
    r"(?:not|never|(?:has|have|had|was|were|is|are|does|do|did)n'?t)(?: +been)? +able +to)\b"
)
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:\.\d+)?|[.!?;\n]+|[,:()]+")
_TRIPLE = re.compile(r"([a-z])\1\1+")
_GAP = re.compile(r"[^a-z0-9.!?;\n,:()]*")
_PIECE = re.compile("(?:" + _TOKEN.pattern + ")" + _GAP.pattern)  # a token and the gap after it


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character for one: keeps folded text the same length as the user's, so evidence can quote it."""
    if ch in "\u2018\u2019\u02bc\u00b4\u2032`":
        return "'"
    if ch in "\u2013\u2014\u2015":
        return ","
    if ch == "\u2026":
        return "."
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base.lower() if len(base) == 1 and base.isascii() else " "


def fold(text: str) -> str:
    """Lower-case ASCII copy of `text` of the same length, with every "can't" spelled "cant"."""
    if not text.isascii():
        text = text.translate({ord(ch): _fold_char(ch) for ch in set(text) if not ch.isascii()})
    text = text.lower()
    if "can" in text or "able" in text or "could" in text:
        text = _CANT.sub(lambda m: "cant".ljust(len(m.group())), text)
    return text


def _plain(word: str) -> str:
    """A pattern word without apostrophes; "can't", "cannot" and "couldn't" become "cant"."""
    word = fold(word).replace("'", "").strip()
    return "cant" if word in ("cannot", "couldnt", "cant") else word


def _trie_pattern(words: Iterable[str]) -> str:
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


# ───────────────────────── phrases ─────────────────────────


@dataclass(frozen=True)
class _Item:
    """One slot of a phrase: any of some words, or any word starting with one of some stems."""

    words: frozenset[str]
    stems: tuple[str, ...]

    def accepts(self, word: str) -> bool:
        return word in self.words or (bool(self.stems) and word.startswith(self.stems))


Phrase = tuple[_Item | int, ...]  # items, with an int for "up to that many other words" between two


def parse_phrase(text: str, gap: int = 3) -> Phrase:
    """Reads the phrase syntax of red_flags.toml: "can't ... pee/wee", "numb*", "... ..." for a longer gap."""
    steps: list[_Item | int] = []
    for part in text.split():
        if part == "...":
            if not steps:
                raise ValueError(f"phrase {text!r} starts with '...'")
            if isinstance(steps[-1], int):
                steps[-1] += gap
            else:
                steps.append(gap)
            continue
        words, stems = set(), []
        for alt in part.split("/"):
            if alt.endswith("*"):
                stems.append(_plain(alt[:-1]))
            else:
                words.add(_plain(alt))
        if "" in words or "" in stems:
            raise ValueError(f"empty word in phrase {text!r}")
        steps.append(_Item(frozenset(words), tuple(stems)))
    if not steps or isinstance(steps[-1], int):
        raise ValueError(f"phrase {text!r} is empty or ends with '...'")
    return tuple(steps)


def _match(phrase: Phrase, words: Sequence[str], pos: int, limit: int, k: int = 0) -> int:
    """End of the shortest match of phrase[k:] starting at `pos` and not reaching `limit`, or -1."""
    if k == len(phrase):
        return pos
    step = phrase[k]
    if isinstance(step, int):
        item = phrase[k + 1]
        assert isinstance(item, _Item)
        for j in range(pos, min(pos + step + 1, limit)):
            if item.accepts(words[j]):
                end = _match(phrase, words, j + 1, limit, k + 2)
                if end >= 0:
                    return end
        return -1
    if pos < limit and step.accepts(words[pos]):
        return _match(phrase, words, pos + 1, limit, k + 1)
    return -1


class _Word(NamedTuple):
    """What a token is: the word meant, the phrases that may start at it, the items it fits.

    A named tuple rather than a dataclass: one is made per distinct token, and a long message can have 30,000.
    """

    word: str
    starts: tuple[int, ...] = ()
    items: frozenset[int] = _NO_ITEMS


class Lexicon:
    """All phrases of a rule set, indexed by first word, and the clean-up (spelling, typos) of text words."""

    def __init__(self, fixes: dict[str, str], fuzzy: Sequence[str], keep: Sequence[str]) -> None:
        self.phrases: list[Phrase] = []
        self.spans: list[int] = []  # the most words a match of each phrase can cover
        self.phrase_items: list[tuple[int, ...]] = []
        self._ids: dict[Phrase, int] = {}
        self._items: dict[_Item, int] = {}
        self._item_words: dict[str, list[int]] = {}
        self._item_stems: dict[str, list[int]] = {}
        self._first_words: dict[str, list[int]] = {}
        self._first_stems: dict[str, list[int]] = {}
        self._stem_re: re.Pattern[str] | None = None  # built on first use, after all phrases are added
        self._max_stem = 0
        self.flags: dict[str, int] = {".": _SENTENCE, "?": _SENTENCE, ",": _BREAK}
        self._fixes = {_plain(a): _plain(b) for a, b in fixes.items()}
        self._keep = frozenset(map(_plain, keep))
        self._fuzzy: dict[str, set[str]] = {}
        for word in map(_plain, fuzzy):
            for variant in {word} | {word[:i] + word[i + 1:] for i in range(len(word))}:
                self._fuzzy.setdefault(variant, set()).add(word)
        # A word one edit away from a fuzzy word keeps its first or its last letters (2 if short, else 3).
        self._fuzzy_ends = {w[:n] for w in map(_plain, fuzzy) for n in (2, 3)}
        self._fuzzy_ends |= {"~" + w[-n:] for w in map(_plain, fuzzy) for n in (2, 3)}
        self._cache: dict[str, _Word] = {}

    def add(self, text: str, gap: int) -> int:
        """The id of a phrase, adding it if new."""
        phrase = parse_phrase(text, gap)
        if phrase in self._ids:
            return self._ids[phrase]
        pid = self._ids[phrase] = len(self.phrases)
        self.phrases.append(phrase)
        self.spans.append(sum(1 if isinstance(step, _Item) else step for step in phrase))
        items = []
        for step in phrase:
            if isinstance(step, _Item):
                if step not in self._items:
                    iid = self._items[step] = len(self._items)
                    for word in step.words:
                        self._item_words.setdefault(word, []).append(iid)
                    for stem in step.stems:
                        self._item_stems.setdefault(stem, []).append(iid)
                items.append(self._items[step])
        self.phrase_items.append(tuple(items))
        first = phrase[0]
        assert isinstance(first, _Item)
        for word in first.words:
            self._first_words.setdefault(word, []).append(pid)
        for stem in first.stems:
            self._first_stems.setdefault(stem, []).append(pid)
        self._stem_re = None
        self._forget()
        return pid

    def set_breaks(self, clause: Sequence[str], resolved: Sequence[str]) -> None:
        """Words that end the reach of a negation, and of a "years ago" phrase."""
        for words, flag in ((clause, _BREAK), (resolved, _RESOLVED_BREAK)):
            for word in map(_plain, words):
                self.flags[word] = self.flags.get(word, 0) | flag
        self._forget()

    def _forget(self) -> None:
        self._cache.clear()

    def _guess(self, word: str, repeats: bool) -> str:
        """An unknown word as probably meant: repeated letters squeezed ("sooo"), a one-letter slip fixed."""
        if len(word) > _LONGEST_WORD:
            return word
        if repeats and _TRIPLE.search(word):
            for squeezed in (_TRIPLE.sub(r"\1\1", word), _TRIPLE.sub(r"\1", word)):
                fixed = self._fixes.get(squeezed, squeezed)
                if fixed in self._item_words or self._stems.match(fixed):
                    return fixed
            word = _TRIPLE.sub(r"\1\1", word)
        ends, n = self._fuzzy_ends, 2 if len(word) < 6 else 3
        if len(word) >= 5 and (word[:n] in ends or "~" + word[-n:] in ends) and word not in self._keep:
            candidates: set[str] = set()
            for variant in {word} | {word[:i] + word[i + 1:] for i in range(len(word))}:
                candidates |= self._fuzzy.get(variant, set())
            for meant in sorted(candidates):
                if within_one_edit(word, meant):
                    return meant
        return word

    def _known(self, word: str) -> _Word:
        starts = list(self._first_words.get(word, ()))
        items = list(self._item_words.get(word, ()))
        for n in range(1, min(len(word), self._max_stem) + 1):
            stem = word[:n]
            if stem not in self._item_stems:
                continue
            starts += self._first_stems.get(stem, ())
            items += self._item_stems.get(stem, ())
        return _Word(word, tuple(sorted(set(starts))), frozenset(items))

    def learn(self, raws: Iterable[str], repeats: bool) -> dict[str, _Word]:
        """What each distinct token is, working out only the ones not seen before.

        Guessing at typos stops after _MAX_GUESSES new words in one message: real messages never get there,
        and it keeps a pasted wall of text fast.
        """
        if len(self._cache) > _MAX_CACHED_WORDS:
            self._forget()
        if self._stem_re is None:
            self._max_stem = max(map(len, self._item_stems), default=0)
            self._stem_re = re.compile(_trie_pattern(self._item_stems))
        # A local copy: another thread may clear the shared cache meanwhile.
        found = dict(zip(distinct := set(raws), map(self._cache.get, distinct), strict=True))
        cache, item_words, fixes, stems = self._cache, self._item_words, self._fixes, self._stems
        guesses = _MAX_GUESSES
        for raw in [raw for raw, known in found.items() if known is None]:
            if raw[0] in ".!?;\n,:()":
                known = _Word("?" if "?" in raw else "." if raw[0] in ".!?;\n" else ",")
            else:
                word = raw.replace("'", "") if "'" in raw else raw
                word = fixes.get(word, word)
                fits = word in item_words or stems.match(word) is not None
                if not fits and guesses and not word.isdigit():
                    guesses -= 1
                    meant = self._guess(word, repeats)
                    if meant != word:
                        word, fits = meant, meant in item_words or stems.match(meant) is not None
                known = self._known(word) if fits else _Word(word)
            cache[raw] = found[raw] = known
        return cast(dict[str, _Word], found)  # every None is filled in by now

    @property
    def _stems(self) -> re.Pattern[str]:
        assert self._stem_re is not None, "learn() builds the stem pattern"
        return self._stem_re


@dataclass(frozen=True)
class Text:
    """One message read into words, knowing where phrases may start and where sentences end.

    Work on a long message is lazy and shared: positions are listed only for phrases whose every word occurs,
    and a phrase (or a cue check) is worked out once per distinct run of words, so repeated text costs little.
    """

    original: str
    folded: str
    lexicon: Lexicon
    words: Sequence[str]
    first_words: dict[str, tuple[int, ...]]  # distinct word -> ids of phrases that may start at it
    present: frozenset[int]  # ids of the phrase items some word of the text fits
    started: frozenset[int]  # ids of the phrases whose first word is in the text
    memo: dict[Any, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def read(cls, text: str, lexicon: Lexicon) -> Text:
        folded = fold(text)
        raws = _TOKEN.findall(folded)
        known = lexicon.learn(raws, repeats=_TRIPLE.search(folded) is not None)
        words = list(map({raw: k.word for raw, k in known.items()}.__getitem__, raws))
        first_words = {k.word: k.starts for k in known.values() if k.starts}
        present = frozenset().union(*(k.items for k in known.values()))
        started = frozenset().union(*first_words.values())
        return cls(text, folded, lexicon, words, first_words, present, started)

    def starts(self, j: int) -> tuple[int, ...]:
        return self.first_words.get(self.words[j], ())

    def flags(self, j: int) -> int:
        return self.lexicon.flags.get(self.words[j], 0)

    @property
    def sentence_ends(self) -> list[int]:
        ends = self.memo.get("ends")
        if ends is None:
            ends = self.memo["ends"] = list(compress(count(), map(_SENTENCE_WORDS.__contains__, self.words)))
        return ends

    def sentence_of(self, pos: int) -> tuple[int, int]:
        """Token range [start, end) of the sentence holding token `pos`."""
        ends = self.sentence_ends
        k = bisect_right(ends, pos)
        return (ends[k - 1] + 1 if k else 0), (ends[k] if k < len(ends) else len(self.words))

    def positions(self, pid: int) -> list[int]:
        """Where phrase `pid` may start; none when some word it needs is not in the text at all."""
        key = ("at", pid)
        found = self.memo.get(key)
        if found is None:
            found = []
            if pid in self.started and all(item in self.present for item in self.lexicon.phrase_items[pid]):
                lists = [self._where(w) for w, st in self.first_words.items() if pid in st]
                found = lists[0] if len(lists) == 1 else sorted(i for where in lists for i in where)
            self.memo[key] = found
        return found

    def _where(self, word: str) -> list[int]:
        key = ("word", word)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = list(compress(count(), map(word.__eq__, self.words)))
        return found

    def end(self, pid: int, pos: int, limit: int | None = None) -> int:
        """End of the match of phrase `pid` at `pos` (within its sentence, or before `limit`), or -1."""
        limit = min(self.sentence_of(pos)[1] if limit is None else limit, pos + self.lexicon.spans[pid])
        key = (pid, tuple(self.words[pos:limit]))
        rel = self.memo.get(key)
        if rel is None:
            end = _match(self.lexicon.phrases[pid], self.words, pos, limit)
            rel = self.memo[key] = end - pos if end >= 0 else -1
        return pos + rel if rel >= 0 else -1

    def find(self, pid: int, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, int]]:
        """Matches (start, end) of a phrase starting in token range [lo, hi)."""
        found = self.positions(pid)
        for pos in found[bisect_left(found, lo):bisect_left(found, len(self.words) if hi is None else hi)]:
            end = self.end(pid, pos)
            if end >= 0:
                yield pos, end

    def _starts(self, upto: int) -> list[int]:
        """Character offsets of the tokens at least up to token `upto`: token-plus-gap lengths added up."""
        found = self.memo.get("starts")
        if found is None or len(found) < upto:
            lead = _GAP.match(self.folded)
            pieces = map(len, _PIECE.findall(self.folded) if upto > 1000 else
                          (m.group() for m in islice(_PIECE.finditer(self.folded), upto)))
            found = self.memo["starts"] = list(accumulate(pieces, initial=lead.end() if lead else 0))
        return found

    def quote(self, spans: Sequence[tuple[int, int]], budget: int) -> str:
        """The user's own words for the sentence around token spans, cut to whole words within `budget`."""
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        lo, hi = self.sentence_of(first)[0], self.sentence_of(last - 1)[1]
        while lo < first and self.words[lo] == ",":
            lo += 1
        starts = self._starts(hi)

        def end_of(i: int) -> int:
            token = _TOKEN.match(self.folded, starts[i])
            return token.end() if token else starts[i]

        if end_of(hi - 1) - starts[lo] <= budget:
            return self.original[starts[lo]:end_of(hi - 1)].strip()
        # Then the clause: between the commas around the matched words.
        before = [i for i in range(first - 1, max(lo, first - 40) - 1, -1) if self.words[i] == ","]
        after = [i for i in range(last, min(hi, last + 40)) if self.words[i] == ","]
        c_lo, c_hi = (before[0] + 1 if before else lo), (after[0] if after else hi)
        if end_of(c_hi - 1) - starts[c_lo] <= budget:
            return self.original[starts[c_lo]:end_of(c_hi - 1)].strip()
        # Centre a window on the matched words, keep it inside the sentence, then keep only whole words.
        hit_start, hit_end = starts[first], end_of(last - 1)
        spare = max(budget - 2 - (hit_end - hit_start), 0)
        start = max(hit_start - spare // 2, starts[lo])
        end = min(start + budget - 2, end_of(hi - 1))
        start = max(min(start, end - budget + 2), starts[lo])
        i0 = min(bisect_left(starts, start, lo, hi), first)
        i1 = max(bisect_right(starts, end, lo, hi) - 1, last - 1)
        if i1 > last - 1 and end_of(i1) > end:
            i1 -= 1
        cut = self.original[starts[i0]:end_of(i1)].strip()
        return ("…" if i0 > lo else "") + cut + ("…" if i1 < hi - 1 else "")


# ───────────────────────── rules ─────────────────────────


@dataclass(frozen=True)
class Rule:
    """Word groups that must all be found (in one sentence, message or conversation) for a red flag."""

    why: str
    within: str
    near: int | None
    groups: tuple[tuple[str, frozenset[int]], ...]
    except_in: tuple[int, ...]
    unless: tuple[int, ...]
    past_counts: frozenset[str]

    @property
    def signs(self) -> frozenset[int]:
        return frozenset().union(*(pids for _, pids in self.groups))


@dataclass(frozen=True)
class Category:
    """One red flag (or out-of-scope reason): its level, its plain-words label and the rules that find it."""

    id: str
    level: str
    label: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Cues:
    """Phrase ids of the words that cancel a sign, and how far (in words) each reaches."""

    negation_before: frozenset[int]
    not_negation: frozenset[int]
    negation_after: frozenset[int]
    hypothetical_before: frozenset[int]
    resolved_after: frozenset[int]
    negation_window: int
    hypothetical_window: int
    after_window: int
    resolved_window: int


@dataclass(frozen=True)
class Found:
    """The category a rule set found, and the user's words that showed it."""

    category: Category
    evidence: str


@dataclass(frozen=True, eq=False)
class RuleSet:
    """Categories of phrase rules (the layout of red_flags.toml) and the search for them in a conversation."""

    lexicon: Lexicon
    cues: Cues
    categories: tuple[Category, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any], levels: Sequence[str]) -> RuleSet:
        """Reads a rule set; categories are tried by level (in the order of `levels`), then as written."""
        settings = data.get("settings", {})
        gap = int(settings.get("gap", 3))
        spelling = data.get("spelling", {})
        fixes = dict(_split_fix(line) for line in spelling.get("fix", []))
        lexicon = Lexicon(fixes, spelling.get("fuzzy", []), spelling.get("keep", []))
        lists: dict[str, list[str]] = data.get("words", {})

        def ids(texts: Sequence[str]) -> tuple[int, ...]:
            out: list[int] = []
            for text in texts:
                if text.startswith("@"):
                    if text[1:] not in lists:
                        raise ValueError(f"unknown word list {text!r}")
                    out += ids(lists[text[1:]])
                else:
                    out.append(lexicon.add(text, gap))
            return tuple(dict.fromkeys(out))

        cue_data = data.get("cues", {})
        lexicon.set_breaks(cue_data.get("clause_breaks", []), cue_data.get("resolved_breaks", []))
        cues = Cues(
            *(frozenset(ids(cue_data.get(key, []))) for key in
              ("negation_before", "not_negation", "negation_after", "hypothetical_before", "resolved_after")),
            int(settings.get("negation_window", 4)), int(settings.get("hypothetical_window", 5)),
            int(settings.get("after_window", 3)), int(settings.get("resolved_window", 8)),
        )
        categories = []
        for cat in data["category"]:
            if cat["level"] not in levels:
                raise ValueError(f"category {cat['id']}: unknown level {cat['level']!r}")
            rules = []
            for raw in cat["rule"]:
                if raw.get("within") not in _WITHIN:
                    raise ValueError(f"category {cat['id']}: within must be one of {_WITHIN}")
                groups = tuple((k, frozenset(ids(v))) for k, v in raw.items() if k not in _RULE_KEYS)
                past = frozenset(raw.get("past_counts", []))
                if not groups or not past <= {name for name, _ in groups}:
                    raise ValueError(f"category {cat['id']}: a rule needs groups; past_counts must name them")
                rules.append(Rule(raw.get("why", ""), raw["within"], raw.get("near"), groups,
                                  ids(raw.get("except_in", [])), ids(raw.get("unless", [])), past))
            categories.append(Category(cat["id"], cat["level"], cat["label"], tuple(rules)))
        categories.sort(key=lambda c: list(levels).index(c.level))
        return cls(lexicon, cues, tuple(categories))

    def search(self, messages: Sequence[str]) -> Found | None:
        """The first category, in level order, that any of its rules finds in the messages."""
        texts = [_read(self, m) for m in messages if isinstance(m, str) and m.strip()]
        for category in self.categories if texts else ():
            for rule in category.rules:
                hits = _Search(self, texts, rule).run()
                if hits:
                    return Found(category, _evidence(texts, hits))
        return None


def _split_fix(line: str) -> tuple[str, str]:
    wrong, arrow, right = line.partition("->")
    if not arrow or not wrong.strip() or not right.strip():
        raise ValueError(f"spelling fix {line!r} must read 'wrong -> right'")
    return wrong.strip(), right.strip()


def _read(rules: RuleSet, message: str) -> Text:
    """Each message of a conversation is read once, not once per turn; long ones are not kept."""
    if len(message) > _CACHED_MESSAGE_CHARS:
        return Text.read(message, rules.lexicon)
    return _read_short(rules, message)


@lru_cache(maxsize=512)
def _read_short(rules: RuleSet, message: str) -> Text:
    return Text.read(message, rules.lexicon)


Hit = tuple[int, int, int]  # message index, start token, end token


class _Search:
    """Looks for one rule's word groups in a conversation, skipping negated, hypothetical and past signs."""

    def __init__(self, rules: RuleSet, texts: list[Text], rule: Rule) -> None:
        self.lex, self.cues, self.texts, self.rule = rules.lexicon, rules.cues, texts, rule
        self.signs = rule.signs

    def run(self) -> list[Hit] | None:
        counts = [sum(len(t.positions(p)) for t in self.texts for p in t.started.intersection(pids))
                  for _, pids in self.rule.groups]
        if not all(counts):
            return None
        if self.rule.within == "conversation":
            return self._together(range(len(self.texts)))
        if self.rule.within == "message":
            return next(filter(None, (self._together([m]) for m in range(len(self.texts)))), None)
        return self._in_sentence(counts.index(min(counts)))

    def _together(self, messages: Sequence[int]) -> list[Hit] | None:
        """The earliest live match of every group among the given messages."""
        hits = []
        for name, pids in self.rule.groups:
            best: Hit | None = None
            for m in messages:
                for pid in self.texts[m].started.intersection(pids):
                    for s, e in self.texts[m].find(pid):
                        if best is not None and s >= best[1]:
                            break
                        if self._live(m, s, e, name):
                            best = (m, s, e)
                            break
                if best is not None:
                    break
            if best is None:
                return None
            hits.append(best)
        return hits

    def _in_sentence(self, anchor: int) -> list[Hit] | None:
        """Every group within one sentence, and within `near` words of the anchor group's match.

        Whether a sentence matches depends on its words alone, so it is worked out once per distinct sentence.
        """
        pids = self.rule.groups[anchor][1]
        for m, text in enumerate(self.texts):
            seen = -1
            for s in sorted(s for pid in text.started.intersection(pids) for s in text.positions(pid)):
                lo, hi = text.sentence_of(s)
                if lo == seen:
                    continue
                seen = lo
                key = ("sentence", id(self.rule), tuple(text.words[lo:hi]))
                if key not in text.memo:
                    hits = self._sentence(m, lo, hi, anchor)
                    text.memo[key] = hits and [(s - lo, e - lo) for _, s, e in hits]
                found = text.memo[key]
                if found:
                    return [(m, lo + s, lo + e) for s, e in found]
        return None

    def _sentence(self, m: int, lo: int, hi: int, anchor: int) -> list[Hit] | None:
        near = self.rule.near if self.rule.near is not None else hi - lo
        name, pids = self.rule.groups[anchor]
        text = self.texts[m]
        anchors = sorted((s, p) for p in text.started.intersection(pids) for s, _ in text.find(p, lo, hi))
        for s, pid in anchors:
            e = text.end(pid, s)
            if not self._live(m, s, e, name):
                continue
            hits = [(m, s, e)]
            for other, (oname, opids) in enumerate(self.rule.groups):
                hit = None if other == anchor else self._near(m, oname, opids, s, e, near)
                if other != anchor and hit is None:
                    break
                if hit is not None:
                    hits.append(hit)
            else:
                return hits
        return None

    def _near(self, m: int, name: str, pids: frozenset[int], s: int, e: int, near: int) -> Hit | None:
        """A live match of a group in the sentence of [s, e), at most `near` words away from it."""
        text = self.texts[m]
        lo, hi = text.sentence_of(s)
        for pid in text.started.intersection(pids):
            for os, oe in text.find(pid, max(lo, s - near - self.lex.spans[pid]), min(hi, e + near + 1)):
                if max(os - e, s - oe, 0) <= near and self._live(m, os, oe, name):
                    return (m, os, oe)
        return None

    def _live(self, m: int, s: int, e: int, group: str) -> bool:
        """A match counts unless negated, hypothetical, past, in an exception or in an 'unless' sentence."""
        text = self.texts[m]
        if self._unless(text, s):
            return False
        lo = max(0, s - _CONTEXT)
        key = ("live", id(self.rule), group, s - lo, e - lo, tuple(text.words[lo:e + _CONTEXT]))
        live = text.memo.get(key)
        if live is None:
            live = text.memo[key] = self._counts(text, s, e, group)
        return live

    def _unless(self, text: Text, s: int) -> bool:
        """Whether the sentence of `s` has an 'unless' phrase (worked out once per distinct sentence)."""
        lo, hi = text.sentence_of(s)
        at = ("unless at", id(self.rule), lo)
        found = text.memo.get(at)
        if found is None:
            same = ("unless", id(self.rule), tuple(text.words[lo:hi]))
            found = text.memo.get(same)
            if found is None:
                found = text.memo[same] = any(next(text.find(pid, lo, hi), None)
                                              for pid in text.started.intersection(self.rule.unless))
            text.memo[at] = found
        return found

    def _counts(self, text: Text, s: int, e: int, group: str) -> bool:
        cues = self.cues
        if self._cue_before(text, s, cues.negation_before, cues.negation_window, negation=True):
            return False
        if self._cue_before(text, s, cues.hypothetical_before, cues.hypothetical_window, negation=False):
            return False
        if self._negated_after(text, e):
            return False
        if group not in self.rule.past_counts and self._resolved_after(text, e):
            return False
        return not any(oe > s for pid in self.rule.except_in
                       for _, oe in text.find(pid, max(s - self.lex.spans[pid], 0), e))

    def _cue_before(self, text: Text, s: int, cue_ids: frozenset[int], window: int, negation: bool) -> bool:
        """A cue ending at most `window` words before s, with no clause break between."""
        for j in range(s - 1, max(s - window - 4, 0) - 1, -1):
            for pid in cue_ids.intersection(text.starts(j)):
                end = text.end(pid, j, s)
                if end < 0 or end < s - window:
                    continue
                asked = j and text.words[j - 1] in _QUESTION_LEAD and text.words[j] in ("fine", "normal")
                if negation and (asked or self._opens(text, j, self.cues.not_negation)
                                 or self._opens(text, j, self.signs)):
                    continue
                return True
            if text.flags(j) & (_SENTENCE | _BREAK):
                return False
        return False

    def _opens(self, text: Text, j: int, pids: frozenset[int]) -> bool:
        """Whether one of `pids` matches at j: a negation that opens "no idea" or "no feeling" is not one."""
        return any(text.end(pid, j) >= 0 for pid in pids.intersection(text.starts(j)))

    def _negated_after(self, text: Text, e: int) -> bool:
        """'bladder is fine' cancels; 'is that normal?' asks, so it does not."""
        limit = text.sentence_of(e - 1)[1]
        for j in range(e, min(e + self.cues.after_window + 1, limit)):
            if text.flags(j) & _BREAK:
                return False
            for pid in self.cues.negation_after.intersection(text.starts(j)):
                end = text.end(pid, j)
                asked = text.words[j - 1] in _ASKING or (
                    0 <= end < len(text.words) and text.words[end] == "?")
                if end >= 0 and not asked:
                    return True
        return False

    def _resolved_after(self, text: Text, e: int) -> bool:
        """'had a fever last year', 'bladder problems, all sorted now'."""
        limit = text.sentence_of(e - 1)[1]
        for j in range(e, min(e + self.cues.resolved_window + 1, limit)):
            if text.flags(j) & _RESOLVED_BREAK:
                return False
            if self._opens(text, j, self.cues.resolved_after):
                return True
        return False


def _evidence(texts: list[Text], hits: list[Hit]) -> str:
    """The sentences the signs were found in, in the user's words, oldest first, within EVIDENCE_CHARS."""
    by_sentence: dict[tuple[int, tuple[int, int]], list[tuple[int, int]]] = {}
    for m, s, e in sorted(hits):
        by_sentence.setdefault((m, texts[m].sentence_of(s)), []).append((s, e))
    sep = " … "
    budget = (EVIDENCE_CHARS - len(sep) * (len(by_sentence) - 1)) // len(by_sentence)
    parts = [texts[m].quote(spans, budget) for (m, _), spans in by_sentence.items()]
    return sep.join(dict.fromkeys(p for p in parts if p))[:EVIDENCE_CHARS]


@lru_cache(maxsize=1)
def red_flags() -> RuleSet:
    """The bundled red-flag rules, read once."""
    raw = (resources.files("assistant") / "red_flags.toml").read_text(encoding="utf-8")
    return RuleSet.from_dict(tomllib.loads(raw), levels=("emergency", "urgent"))


def triage(messages: Sequence[str]) -> Triage:
    """The most urgent red flag in a conversation (every user message, oldest first); never lowered later."""
    found = red_flags().search(messages)
    if found is None:
        return Triage("none")
    level: Level = "emergency" if found.category.level == "emergency" else "urgent"
    return Triage(level, found.category.id, found.category.label, found.evidence)
