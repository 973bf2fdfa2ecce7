"""Rule sets: categories of phrase rules read from a rule file that checks itself, and the search for them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from assistant.spelling import common_english, spelling_rules
from assistant.text import plain
from assistant.triage.context import Context, Modifier
from assistant.triage.phrases import Item, Lexicon
from assistant.triage.reading import Text

EVIDENCE_CHARS = 160
WITHIN = ("sentence", "message", "conversation")
TOP_KEYS = {"settings", "words", "context", "spelling", "senses", "category"}
SETTINGS_KEYS = {"gap"}
SPELLING_KEYS = {"fix", "fuzzy", "keep"}
SENSE_KEYS = {"not", "meant"}
CATEGORY_KEYS = {"id", "level", "label", "source", "rule"}
RULE_KEYS = {"id", "why", "within", "near", "need", "except_in", "unless", "despite", "conversation_needs", "examples",
             "near_misses"}
CACHED_MESSAGE_CHARS = 4000

Hit = tuple[int, int, int]  # message index, start token, end token


@dataclass(frozen=True)
class Rule:
    """Word groups that must all be found (in one sentence, message or conversation) for a red flag."""

    id: str
    category: str
    why: str
    within: str
    near: int | None
    groups: tuple[tuple[str, frozenset[int]], ...]
    except_in: tuple[int, ...]
    unless: tuple[int, ...]
    despite: dict[str, frozenset[str]]
    conversation_needs: frozenset[int]
    examples: tuple[str, ...]
    near_misses: tuple[str, ...]

    @cached_property
    def signs(self) -> frozenset[int]:
        # Read for every rule on every message (each search and the learned opinion's evidence): worked out once.
        return frozenset().union(*(pids for _, pids in self.groups))


@dataclass(frozen=True)
class Category:
    """One red flag (or out-of-scope reason): its level, its plain-words label and the rules that find it."""

    id: str
    level: str
    label: str
    source: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Found:
    """The category a rule set found, the rule that found it, and the user's words that showed it."""

    category: Category
    rule: Rule
    evidence: str


@dataclass(frozen=True)
class Sign:
    """One match of a rule's word group, and the cues that reached it (empty: it counts)."""

    rule: Rule
    group: str
    words: str
    sentence: str
    modifiers: tuple[Modifier, ...]
    cancelled_by: tuple[Modifier, ...]


def _check_keys(where: str, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")


@dataclass(frozen=True)
class Sense:
    """Where one word is not meant as the rules mean it (`unmeant` phrases), and where it is all the same (`meant`
    phrases win: "got back pain" is the body's back though "got back" usually is not)."""

    unmeant: frozenset[int]
    meant: frozenset[int]


@dataclass(frozen=True, eq=False)
class RuleSet:
    """Categories of phrase rules (the layout of red_flags.toml) and the search for them in a conversation."""

    lexicon: Lexicon
    context: Context
    categories: tuple[Category, ...]
    word_lists: dict[str, frozenset[int]]
    senses: dict[str, Sense] = field(default_factory=dict)  # word -> phrases where it is (not) meant

    @classmethod
    def from_dict(cls, data: dict[str, Any], levels: Sequence[str]) -> RuleSet:
        """Reads a rule set; categories are tried by level (in the order of `levels`), then as written.

        Every table is checked for unknown keys, so a typo is an error rather than a silent new word group.
        """
        _check_keys("rule file", data, TOP_KEYS)
        settings = data.get("settings", {})
        _check_keys("[settings]", settings, SETTINGS_KEYS)
        gap = int(settings.get("gap", 3))
        spelling = data.get("spelling", {})
        _check_keys("[spelling]", spelling, SPELLING_KEYS)
        # SMS shorthand ("bak", "wat") is the speller's one table, less single letters, which stand for too much here
        # ("70 y/o", "r side"); the rule file adds misspellings of sign words.
        shorthand = {short: word for short, word in spelling_rules()["shorthand"].items() if len(plain(short)) > 1}
        fixes = {**shorthand, **dict(_split_fix(line) for line in spelling.get("fix", []))}
        lexicon = Lexicon(fixes, spelling.get("fuzzy", []), spelling.get("keep", []), common_english())
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

        ids_of = {cat.get("id") for cat in data["category"]}
        rule_ids = {rule.get("id") for cat in data["category"] for rule in cat.get("rule", [])}
        context = Context.from_list(data.get("context", []), ids, lexicon.spans, lexicon.set_flag,
                                    {i for i in ids_of if i}, {i for i in rule_ids if i})
        known_cues = {c.category for c in context.classes}
        categories = []
        for cat in data["category"]:
            where = f"category {cat.get('id')!r}"
            _check_keys(where, cat, CATEGORY_KEYS)
            if cat["level"] not in levels:
                raise ValueError(f"{where}: unknown level {cat['level']!r}")
            rules = [_rule(cat["id"], n, raw, ids, known_cues) for n, raw in enumerate(cat["rule"], 1)]
            categories.append(Category(cat["id"], cat["level"], cat["label"], cat.get("source", ""), tuple(rules)))
        seen: set[str] = set()
        for rule in (r for c in categories for r in c.rules):
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        categories.sort(key=lambda c: list(levels).index(c.level))
        senses = {}
        for word, sense in data.get("senses", {}).items():
            _check_keys(f"[senses.{word}]", sense, SENSE_KEYS)
            if len(plain(word).split()) != 1:
                raise ValueError(f"[senses] {word!r}: a sense is given for one word")
            senses[plain(word)] = Sense(frozenset(ids(sense.get("not", []))), frozenset(ids(sense.get("meant", []))))
        return cls(lexicon, context, tuple(categories), {name: frozenset(ids([f"@{name}"])) for name in lists},
                   senses)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for c in self.categories for r in c.rules)

    def read(self, messages: Sequence[str]) -> list[Text]:
        return [_read(self, m) for m in messages if isinstance(m, str) and m.strip()]

    def unmeant(self, text: Text) -> frozenset[int]:
        """Positions of words that a [senses] phrase shows are not meant as the rules mean them: the "back" of
        "grow my hair back" or "get back to work" is not the body's back. A match starting there counts for
        nothing, in rules and word lists alike."""
        found = text.memo.get("unmeant")
        if found is None:
            spots: set[int] = set()
            for word, sense in self.senses.items():
                unmeant, meant = (
                    {j for pid in text.started.intersection(pids) for s, e in text.find(pid) for j in range(s, e)
                     if text.words[j] == word}
                    for pids in (sense.unmeant, sense.meant))
                spots |= unmeant - meant
            found = text.memo["unmeant"] = frozenset(spots)
        return found

    def mentions(self, messages: Sequence[str], word_list: str) -> bool:
        """Whether any phrase of a [words] list occurs in the messages, whatever its context."""
        return Conversation(self.read(messages), self).has(self.word_lists[word_list])

    def search(self, messages: Sequence[str], only: Rule | None = None) -> Found | None:
        """The first category, in level order, that any of its rules finds in the messages (or only `only`)."""
        texts = self.read(messages)
        fired = next(self._fired(texts, only), None)
        return None if fired is None else Found(fired[0], fired[1], _evidence(texts, fired[2]))

    def found(self, messages: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Every category some rule finds, by id in level order, with where its first match starts (message,
        token): for rule files whose categories are independent cues rather than one verdict."""
        return {category.id: min(hits)[:2] for category, _, hits in self._fired(self.read(messages))}

    def _fired(self, texts: list[Text], only: Rule | None = None) -> Iterator[tuple[Category, Rule, list[Hit]]]:
        """Each category that one of its rules finds, in level order, through the first rule that does."""
        if not texts:
            return
        state = Conversation(texts, self)
        # A rule with a word group none of whose phrases starts anywhere cannot fire: skipped before any search.
        started = frozenset().union(*(t.started for t in texts))
        for category in self.categories:
            for rule in category.rules:
                if (only is not None and rule is not only) or any(started.isdisjoint(p) for _, p in rule.groups) or (
                        rule.conversation_needs and not state.has(rule.conversation_needs)):
                    continue
                hits = _Search(self, texts, rule, state).run()
                if hits:
                    yield category, rule, hits
                    break

    def groups_found(self, messages: Sequence[str]) -> Iterator[tuple[Rule, str, bool, tuple[Modifier, ...]]]:
        """Every word group of every rule that occurs in the messages: whether one match of it counts, and
        else the cues that cancelled its matches. What a rule almost found is evidence for a second opinion."""
        texts = self.read(messages)
        state = Conversation(texts, self)
        started = frozenset().union(*(t.started for t in texts))
        for rule in self.rules:
            if started.isdisjoint(rule.signs):
                continue  # no phrase of any of its groups starts anywhere: nothing of it occurs
            search = _Search(self, texts, rule, state)
            for name, pids in rule.groups:
                live, cancelled = False, []
                for m, text in enumerate(texts):
                    for pid in text.started.intersection(pids):
                        for s, e in text.find(pid):
                            if search._live(m, s, e, name):
                                live = True
                                break
                            cancelled += search.cancelling(search.modifiers(m, s, e), name)
                        if live:
                            break
                    if live:
                        break
                if live or cancelled:
                    yield rule, name, live, tuple(cancelled)

    def signs(self, messages: Sequence[str], limit: int = 40) -> list[Sign]:
        """Every match of every rule's word groups, with the cues that reach it: what `explain` shows."""
        texts = self.read(messages)
        state = Conversation(texts, self)
        found: list[Sign] = []
        for rule in self.rules:
            present = [any(next(t.find(p), None) for t in texts for p in t.started.intersection(pids))
                       for _, pids in rule.groups]
            search = _Search(self, texts, rule, state)
            for name, pids in rule.groups:
                for m, text in enumerate(texts):
                    for pid in text.started.intersection(pids):
                        for s, e in text.find(pid):
                            if s in self.unmeant(text):
                                continue  # not meant as the rules mean it ("get back to work")
                            modifiers = tuple(search.modifiers(m, s, e))
                            cancelled = tuple(search.cancelling(modifiers, name))
                            if not cancelled and not all(present):
                                continue  # a word of a rule that could not have fired: nothing to explain
                            sentence = text.quote([(s, e)], EVIDENCE_CHARS)
                            found.append(Sign(rule, name, text.span_text(s, e), sentence, modifiers, cancelled))
                            if len(found) >= limit:
                                return found
        return found


def _rule(category: str, number: int, raw: dict[str, Any], ids: Any, known_cues: set[str]) -> Rule:
    rule_id = raw.get("id", f"{category}#{number}")
    where = f"rule {rule_id!r}"
    _check_keys(where, raw, RULE_KEYS)
    if raw.get("within") not in WITHIN:
        raise ValueError(f"{where}: within must be one of {WITHIN}")
    need = raw.get("need", {})
    if not need or not all(isinstance(v, list) for v in need.values()):
        raise ValueError(f"{where}: `need` must name at least one word group (need.NAME = [phrases])")
    groups = tuple((k, frozenset(ids(v))) for k, v in need.items())
    despite = {k: frozenset(v) for k, v in raw.get("despite", {}).items()}
    if not set(despite) <= set(need):
        raise ValueError(f"{where}: despite names groups it does not need: {sorted(set(despite) - set(need))}")
    for cues in despite.values():
        if not cues <= known_cues:
            raise ValueError(f"{where}: despite names unknown cue categories {sorted(cues - known_cues)}")
    return Rule(rule_id, category, raw.get("why", ""), raw["within"], raw.get("near"), groups,
                ids(raw.get("except_in", [])), ids(raw.get("unless", [])), despite,
                frozenset(ids(raw.get("conversation_needs", []))), tuple(raw.get("examples", [])),
                tuple(raw.get("near_misses", [])))


def _split_fix(line: str) -> tuple[str, str]:
    wrong, arrow, right = line.partition("->")
    if not arrow or not wrong.strip() or not right.strip():
        raise ValueError(f"spelling fix {line!r} must read 'wrong -> right'")
    return wrong.strip(), right.strip()


def _read(rules: RuleSet, message: str) -> Text:
    """Each message of a conversation is read once, not once per turn; long ones are not kept."""
    if len(message) > CACHED_MESSAGE_CHARS:
        return Text.read(message, rules.lexicon)
    return _read_short(rules, message)


@lru_cache(maxsize=512)
def _read_short(rules: RuleSet, message: str) -> Text:
    return Text.read(message, rules.lexicon)


class Conversation:
    """Facts about the whole conversation that decide some cues (e.g. whose back the user talks about)."""

    def __init__(self, texts: list[Text], rules: RuleSet) -> None:
        self.texts = texts
        self.rules = rules
        self._has: dict[frozenset[int], bool] = {}
        self._own: dict[frozenset[int], bool] = {}

    @cached_property
    def facts(self) -> tuple[bool, ...]:
        """The conversation-wide facts that cues depend on: part of every cached verdict's key (the same for every
        rule, so worked out once per conversation rather than once per rule searched)."""
        return tuple(self.has_own(c.only_if_conversation_has) for c in self.rules.context.classes
                     if c.only_if_conversation_has)

    def has(self, pids: frozenset[int]) -> bool:
        """Whether a phrase of `pids` occurs, meant as the rules mean it."""
        if pids not in self._has:
            self._has[pids] = any(s not in self.rules.unmeant(t) for t in self.texts
                                  for pid in t.started.intersection(pids) for s, _ in t.find(pid))
        return self._has[pids]

    def has_own(self, pids: frozenset[int]) -> bool:
        """Whether a phrase of `pids` occurs as the user's own: meant, and reached by no cue that names someone
        else. "my back's playing up" is the user's; "Dad's back has been bad since he fell" is not, though both
        name a back. What decides whose a sign is (`only_if_conversation_has`) is read with the same cues. A phrase
        in the user's own words ("my back", "I've hurt my back") is theirs whatever cue comes before it: in "my
        daughter has a fever and my back aches", the daughter's cue ends at "my", as it does for a sign."""
        if pids not in self._own:
            context = self.rules.context
            user = context.terminators.get("SELF", 0)
            self._own[pids] = any(
                s not in self.rules.unmeant(t)
                and (any(t.flags(k) & user for k in range(s, e))
                     or not any(m.cue.experiencer for m in context.modifiers(t, s, e, None, frozenset())))
                for t in self.texts for pid in t.started.intersection(pids) for s, e in t.find(pid))
        return self._own[pids]


class _Search:
    """Looks for one rule's word groups in a conversation, skipping signs that a context cue cancels."""

    def __init__(self, rules: RuleSet, texts: list[Text], rule: Rule, state: Conversation) -> None:
        self.rules, self.texts, self.rule, self.state = rules, texts, rule, state
        self.lex, self.context = rules.lexicon, rules.context
        self.signs = rule.signs
        self.reach = self.context.reach
        self.facts = state.facts

    def modifiers(self, m: int, s: int, e: int) -> list[Modifier]:
        """The cues that reach the sign at tokens [s, e) of message m, from its message or the ones beside it."""
        before = self.texts[m - 1] if m else None
        after = self.texts[m + 1] if m + 1 < len(self.texts) else None
        return self.context.modifiers(self.texts[m], s, e, self.rule.category, self.signs, before, after,
                                      self._gaps(self.texts[m], s, e), self.rule.id)

    def _gaps(self, text: Text, s: int, e: int) -> list[int]:
        """The words inside a sign's match that no word of its phrase accounts for (a "..." let them in)."""
        if e - s < 3:
            return []
        phrases = [self.lex.phrases[p] for p in text.started.intersection(self.signs) if text.end(p, s) == e]
        items = [step for phrase in phrases for step in phrase if isinstance(step, Item)]
        return [j for j in range(s + 1, e - 1) if not any(item.accepts(text.words[j]) for item in items)]

    def _edges(self, m: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The words of the messages beside message m that cues crossing sentence ends can reach from."""
        if not self.context.across:
            return (), ()
        before = self.texts[m - 1].words[-self.reach:] if m else ()
        after = self.texts[m + 1].words[:self.reach] if m + 1 < len(self.texts) else ()
        return tuple(before), tuple(after)

    def cancelling(self, modifiers: Sequence[Modifier], group: str) -> list[Modifier]:
        """The modifiers that make a sign of `group` not count, under this rule and conversation."""
        allowed = self.rule.despite.get(group, frozenset())
        return [m for m in modifiers if m.category not in allowed
                and (not m.cue.only_if_conversation_has or self.state.has_own(m.cue.only_if_conversation_has))]

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
                # Cues that cross sentence ends make the words around the sentence part of its verdict.
                around = self.reach if self.context.across else 0
                key = ("sentence", id(self.rule), self.facts, self._edges(m), tuple(text.words[max(lo - around, 0):lo]),
                       tuple(text.words[lo:hi + 1 + around]))
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
        """A match counts unless a cue cancels it, it is part of an exception, or its sentence has an 'unless'."""
        text = self.texts[m]
        if self._unless(text, s):
            return False
        lo = max(0, s - self.reach)
        end = text.sentence_of(s)[1]
        asks = end < len(text.words) and text.words[end] == "?"  # some cues reach only a sign in a question
        key = ("live", id(self.rule), group, self.facts, asks, self._edges(m), s - lo, e - lo,
               tuple(text.words[lo:e + self.reach]))
        live = text.memo.get(key)
        if live is None:
            live = text.memo[key] = self._counts(m, s, e, group)
        return live

    def _unless(self, text: Text, s: int) -> bool:
        """Whether the sentence of `s` has an 'unless' phrase that no PSEUDO phrase covers and no negation reaches
        (worked out once per distinct sentence): "leaked a few times when I wasn't coughing or laughing" denies the
        excuse it names, while the "no" that opens the rule's own sign ("no sleep thanks to the dog") does not."""
        lo, hi = text.sentence_of(s)
        at = ("unless at", id(self.rule), lo)
        found = text.memo.get(at)
        if found is None:
            same = ("unless", id(self.rule), tuple(text.words[lo:hi]))
            found = text.memo.get(same)
            if found is None:
                # A PSEUDO phrase voids an 'unless' phrase as it voids a cue: "it's not leg day" names no workout.
                found = text.memo[same] = any(
                    not self.context.covered(text, pos, end) and not any(
                        m.category == "NEGATED" for m in self.context.modifiers(text, pos, end, None, self.signs))
                    for pid in text.started.intersection(self.rule.unless) for pos, end in text.find(pid, lo, hi))
            text.memo[at] = found
        return found

    def _counts(self, m: int, s: int, e: int, group: str) -> bool:
        text = self.texts[m]
        if s in self.rules.unmeant(text) or self.cancelling(self.modifiers(m, s, e), group):
            return False
        return not any(oe > s for pid in self.rule.except_in
                       for _, oe in text.find(pid, max(s - self.lex.spans[pid], 0), e))


def _evidence(texts: list[Text], hits: list[Hit]) -> str:
    """The sentences the signs were found in, in the user's words, oldest first, within EVIDENCE_CHARS."""
    by_sentence: dict[tuple[int, tuple[int, int]], list[tuple[int, int]]] = {}
    for m, s, e in sorted(hits):
        by_sentence.setdefault((m, texts[m].sentence_of(s)), []).append((s, e))
    sep = " … "
    budget = (EVIDENCE_CHARS - len(sep) * (len(by_sentence) - 1)) // len(by_sentence)
    parts = [texts[m].quote(spans, budget) for (m, _), spans in by_sentence.items()]
    return sep.join(dict.fromkeys(p for p in parts if p))[:EVIDENCE_CHARS]
