"""What the rules saw in a conversation, as numbers: the evidence a learned opinion weighs beside the words' meaning.

Whether a rule fired is the rules' own verdict, not a column here. A rule that did not fire still tells
something: one of its two word groups was there ("osteoporosis", but no fall), or its sign was there and a cue
cancelled it ("my dog" before "wetting himself"). These are the columns
(named, so a model file says which it was trained on):
- `partial.<category>`: the largest share of one rule's word groups that occur and count (a group of
  plain pain or back words only beside one that names a sign);
- `cancelled.<cue>`: a sign occurs only where a cue of that class cancels it;
- `cue.<cue>`: the cue's words occur at all;
- `fact.<list>`: a phrase of that word list of the rule file occurs (an age, weak bones, a fall...);
- `symptom.affirmed`: symptom words ([words].symptoms) that no cue reaches, the user's own and current (up to
  MAX_SYMPTOMS, as a share of it); `symptom.<cue>`: a symptom word that a cue of that class reaches ("no
  tingling", "my dog is wetting himself", "what if I get numbness"). ConText over the whole symptom
  vocabulary, not only over the rules' word groups.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.triage.reading import Text
from assistant.triage.rules import Conversation, RuleSet

CUES = ("NEGATED", "HYPOTHETICAL", "HISTORICAL", "RESOLVED", "RECENT_PAST", "PET", "OTHER_PERSON", "REPORTED",
        "FIGURATIVE", "POSITIONAL")
FACTS = ("back_words", "own_back", "older", "young", "over_fifty", "bones", "fall", "strain", "fever", "urine",
         "symptoms", "watching", "after_workout")
MAX_SYMPTOMS = 3
MEMO_KEY = "evidence"  # where a message's reading keeps its evidence (Text.memo)


def evidence_names(rules: RuleSet) -> list[str]:
    """The column names of `evidence`, in order."""
    ids = [c.id for c in rules.categories]
    return ([f"partial.{c}" for c in ids] + [f"cancelled.{q}" for q in CUES]
            + [f"cue.{q}" for q in CUES] + [f"fact.{f}" for f in FACTS] + ["symptom.affirmed"]
            + [f"symptom.{q}" for q in CUES])


def evidence(rules: RuleSet, messages: Sequence[str]) -> np.ndarray:
    """The rules' evidence about a conversation, one float per column of `evidence_names` (read-only).

    One message's evidence is asked for twice on every turn (as the message, and as a conversation of one)
    and again on each later turn of its conversation, so it is kept with the message's reading.
    """
    texts = rules.read(messages)
    if len(texts) != 1:
        return _evidence(rules, messages, texts)
    found = texts[0].memo.get(MEMO_KEY)
    if found is None:
        found = texts[0].memo[MEMO_KEY] = _evidence(rules, messages, texts)
    return found


def _evidence(rules: RuleSet, messages: Sequence[str], texts: list[Text]) -> np.ndarray:
    ids = [c.id for c in rules.categories]
    groups: dict[str, dict[str, bool]] = {}
    cancelled: set[str] = set()
    for rule, name, live, cues in rules.groups_found(messages):
        groups.setdefault(rule.id, {})[name] = live
        if not live:
            cancelled |= {m.category for m in cues}
    partial = dict.fromkeys(ids, 0.0)
    back, pain = rules.word_lists["back"], rules.word_lists["pain"]
    for rule in rules.rules:
        found = groups.get(rule.id, {})
        # "My back hurts" is half of many rules; it counts only beside a word group that names a sign.
        if any(found.get(name) and not (pids <= back or pids & pain) for name, pids in rule.groups):
            partial[rule.category] = max(partial[rule.category], sum(found.values()) / len(rule.groups))
    present = {cue.category for text in texts for cue, _, _ in rules.context.cues_in(text, 0, len(text.words))}
    state = Conversation(texts, rules)
    affirmed, reached = 0, set()
    symptoms = rules.word_lists["symptoms"]
    for text in texts:
        for pid in text.started.intersection(symptoms):
            for s, e in text.find(pid):
                if s in rules.unmeant(text):
                    continue
                cues = {m.category for m in rules.context.modifiers(text, s, e, None, frozenset())}
                affirmed += not cues
                reached |= cues
    row = ([partial[c] for c in ids] + [q in cancelled for q in CUES]
           + [q in present for q in CUES] + [state.has(rules.word_lists[f]) for f in FACTS]
           + [min(affirmed, MAX_SYMPTOMS) / MAX_SYMPTOMS] + [q in reached for q in CUES])
    out = np.asarray(row, dtype=np.float32)
    out.setflags(write=False)
    return out
