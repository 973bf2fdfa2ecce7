"""The blind writers' labelled questions, as the scope models train on them: one file in the package.

Writers who saw only the article and a brief (`tests/data/blind/SCOPE-BRIEF.md`) wrote questions it answers
(with the ids of the parts that answer them), questions about its subject it does not answer (with what they
need), questions it must refuse, small talk and conversations. `python -m assistant.scope_writers` copies the
fields the models learn from into `scope_training/writers.json`, so an installed package trains without the
test folder; a test checks the copy matches its sources. The models are trained leave-one-writer-out first,
so every figure and threshold they report comes from a writer the model never saw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT

WRITERS_FILE = "writers.json"
BLIND_DIR = PROJECT_ROOT / "tests" / "data" / "blind"
# Where the writers' sets live in the repository: the first two (round 1), four more (round 2), st5 (round 3),
# st6 (round 5), st7 and st8 (round 6: mostly refusals).
SOURCES = ("*.json", "scope-train/*.json")
# The fields each kind of question keeps: what the models learn from, nothing a writer wrote as a note.
KEPT = {"in_scope": ("q", "expect"), "not_covered": ("q", "need"), "out_of_scope": ("q", "kind"),
        "small_talk": ("q", "kind")}
# The writers' names for what a question needs, where `answerability.toml` names it differently.
NEED_NAMES = {"hold_duration": "hold"}
# A conversation's turn carries one of these keys: the parts that answer it, what the article lacks, or the kind
# of refusal or small talk it is; each gives the turn the label of a question of that kind asked alone.
TURN_LABELS = {"expect": "in_scope", "not_covered": "not_covered", "out_of_scope": "out_of_scope",
               "small_talk": "small_talk"}


@dataclass(frozen=True)
class Labelled:
    """One question a writer labelled: `label` is in_scope, not_covered, out_of_scope or small_talk;
    `expect` the parts that answer it; `detail` the need (not covered) or kind (refused, small talk);
    `turn` its place in a conversation (0 for a question asked alone or first)."""

    writer: str
    text: str
    label: str
    expect: tuple[str, ...] = ()
    detail: str = ""
    turn: int = 0


def collect(blind: Path = BLIND_DIR) -> dict[str, Any]:
    """The writers' sets under `blind`, keeping only the fields the models learn from."""
    sets = (json.loads(p.read_text(encoding="utf-8")) for pattern in SOURCES for p in sorted(blind.glob(pattern)))
    writers: dict[str, Any] = {}
    for found in sets:
        if not isinstance(found, dict) or "in_scope" not in found:
            continue  # a red-flag set (a list of messages) or the other-language set
        kept: dict[str, Any] = {key: [{f: item[f] for f in fields} for item in found[key]]
                                for key, fields in KEPT.items()}
        kept["conversations"] = [[{k: v for k, v in turn.items() if k == "q" or k in TURN_LABELS}
                                  for turn in convo["turns"]] for convo in found["conversations"]]
        writers[found["writer"]] = kept
    return {"source": "tests/data/blind: sc1, sc2 and scope-train/writer-st*.json, written blind from "
                      "SCOPE-BRIEF.md; regenerate with `python -m assistant.scope_writers`",
            "writers": writers}


def write(blind: Path = BLIND_DIR) -> Path:
    path = Path(__file__).resolve().parent / "scope_training" / WRITERS_FILE
    path.write_text(json.dumps(collect(blind), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def writers_data() -> dict[str, Any]:
    text = resources.files("assistant").joinpath("scope_training", WRITERS_FILE).read_text(encoding="utf-8")
    return json.loads(text)["writers"]


def labelled() -> tuple[Labelled, ...]:
    """Every question of every writer, conversations' turns included, in the file's order."""
    found: list[Labelled] = []
    for writer, sets in writers_data().items():
        found += [Labelled(writer, i["q"], "in_scope", expect=tuple(i["expect"])) for i in sets["in_scope"]]
        found += [Labelled(writer, i["q"], "not_covered", detail=NEED_NAMES.get(i["need"], i["need"]))
                  for i in sets["not_covered"]]
        found += [Labelled(writer, i["q"], key, detail=i["kind"]) for key in ("out_of_scope", "small_talk")
                  for i in sets[key]]
        for convo in sets["conversations"]:
            found += [turn_labelled(writer, t, n) for n, t in enumerate(convo)]
    return tuple(found)


def turn_label(turn: dict[str, Any]) -> str:
    """The label of a conversation's turn, from the one key of `TURN_LABELS` it carries."""
    keys = [key for key in TURN_LABELS if key in turn]
    if len(keys) != 1:
        raise ValueError(f"a conversation's turn carries one of {', '.join(TURN_LABELS)}: {turn!r}")
    return TURN_LABELS[keys[0]]


def turn_labelled(writer: str, turn: dict[str, Any], number: int) -> Labelled:
    label = turn_label(turn)
    if label == "in_scope":
        return Labelled(writer, turn["q"], label, expect=tuple(turn["expect"]), turn=number)
    detail = turn[label] if label != "not_covered" else NEED_NAMES.get(turn[label], turn[label])
    return Labelled(writer, turn["q"], label, detail=detail, turn=number)


if __name__ == "__main__":
    print(write())
