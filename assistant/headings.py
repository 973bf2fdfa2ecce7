"""Names and list cues from any document's headings, so a clinic's own handout works without a corrections file.

A section's heading is what a reader calls it ("show me the seated stretches"), and a group's heading and
its document's title are what a request for a list points at ("what stretches can I do at my desk?").
The corrections file (`<name>.toml`) only adds reviewed names and cues to these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from assistant.chunk import default_aliases
from assistant.records import Chunk
from assistant.text import STOPWORDS, for_matching, stem, tokenize

# A heading word found in more than this share of the corpus's chunks names the whole corpus, not one part
# of it. In the bundled article "lower" is in 22 of 27 chunks, "back" in 23 and "exercises" in 13 (as a cue,
# "exercises" sent "what do lower back exercises actually do" to a list: tests/data on target 0.98 -> 0.94);
# "stretches" is in 8 (12 of 32 with the README's desk example, whose group it must point at).
GENERIC_SHARE = 0.4
# Chunks whose heading is a name for them. An FAQ's heading is a question, and an exercise's names come
# from `chunk.default_aliases` already.
NAMED_KINDS = ("group", "info", "precaution")
# Words this short ("tip", "row") are cues only when a reviewer lists them; from headings they are noise.
MIN_CUE_LETTERS = 4


def heading_words(heading: str) -> list[str]:
    """A heading's content words as questions spell them ("Seated Stretches" → seated, stretches)."""
    return [w for w in for_matching(heading).split() if w not in STOPWORDS and len(w) >= MIN_CUE_LETTERS]


class Specific:
    """Whether a word tells a part of the corpus apart, by how many chunks use it."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.vocabularies = [set(tokenize(f"{c.title} {c.text}")) for c in chunks]

    def __call__(self, word: str) -> bool:
        share = sum(stem(word) in v for v in self.vocabularies) / max(len(self.vocabularies), 1)
        return share <= GENERIC_SHARE


def with_heading_cues(chunks: Sequence[Chunk], titles: dict[str, str]) -> tuple[Chunk, ...]:
    """Every group with the cues its headings give, after its reviewed ones.

    `titles` maps each document to its title. A group's cues are its reviewed cues, then the specific words
    of its heading; with several documents also those of its document's title that no other group of that
    document already has (a title tells documents apart, not the groups within one).
    """
    specific = Specific(chunks)
    cues = {c.chunk_id: _unique([*c.cues, *filter(specific, heading_words(c.title))])
            for c in chunks if c.kind == "group"}
    if len(titles) > 1:
        for doc, title in titles.items():
            groups = [c.chunk_id for c in chunks if c.kind == "group" and c.doc == doc]
            for group in groups:
                taken = {stem(w) for other in groups if other != group for w in cues[other]}
                extra = [w for w in heading_words(title) if specific(w) and stem(w) not in taken]
                cues[group] = _unique([*cues[group], *extra])
    return tuple(replace(c, cues=cues[c.chunk_id]) if c.kind == "group" else c for c in chunks)


def heading_names(chunks: Sequence[Chunk]) -> dict[str, tuple[str, ...]]:
    """The names each section's heading gives it ("show me the seated stretches"), by chunk id.

    Kept out of `Chunk.aliases`, which the encoder reads: a heading repeated as a name would pull a passage's
    vector towards its title. A heading of only generic words ("Lower Back") names nothing.
    """
    specific = Specific(chunks)
    return {c.chunk_id: default_aliases(c.title) for c in chunks
            if c.kind in NAMED_KINDS and any(specific(w) for w in heading_words(c.title))}


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))
