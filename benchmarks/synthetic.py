"""A synthetic corpus of any size, in the article's own vocabulary, for build and search at scale."""

from __future__ import annotations

import random
import re
from pathlib import Path

from assistant.settings import Settings

CHUNKS_PER_DOCUMENT = 500
SECTIONS_PER_DOCUMENT = 10
# One chunk in ten is an exercise (steps and names, as in the article); the rest are short info notes.
EXERCISE_EVERY = 10


def vocabulary(settings: Settings) -> list[str]:
    """Words of the bundled corpus, so synthetic text lands where real questions do in embedding space."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(settings.corpus_dir.glob("*.txt")))
    return sorted({w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2})


def _sentence(rng: random.Random, words: list[str], low: int, high: int) -> str:
    return " ".join(rng.choice(words) for _ in range(rng.randint(low, high))).capitalize() + "."


def _chunk(rng: random.Random, words: list[str], number: int) -> list[str]:
    name = f"{rng.choice(words).title()} {rng.choice(words).title()} {number}"
    if number % EXERCISE_EVERY == 0:
        steps = [f"- {_sentence(rng, words, 4, 8)}" for _ in range(2)]
        return [f"### {name} Exercise", "", _sentence(rng, words, 6, 10), "", *steps, ""]
    return [f"### {name}", "", _sentence(rng, words, 8, 14), ""]


def write_corpus(folder: Path, chunks: int, words: list[str], seed: int = 0) -> Path:
    """Markdown handouts holding about `chunks` chunks (plus one group per section) under `folder`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    per_section = CHUNKS_PER_DOCUMENT // SECTIONS_PER_DOCUMENT
    for start in range(0, chunks, CHUNKS_PER_DOCUMENT):
        lines = [f"# Handout {start // CHUNKS_PER_DOCUMENT}", "", _sentence(rng, words, 8, 14), ""]
        for number in range(start, min(start + CHUNKS_PER_DOCUMENT, chunks)):
            if (number - start) % per_section == 0:
                lines += [f"## Topic {rng.choice(words).title()} {number}", ""]
            lines += _chunk(rng, words, number)
        name = f"handout-{start // CHUNKS_PER_DOCUMENT:05d}.md"
        (folder / name).write_text("\n".join(lines), encoding="utf-8")
    return folder
