"""The data that flows between the steps: sections, chunks, hits and answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ChunkKind = Literal["info", "group", "exercise", "mention", "precaution", "faq"]
AnswerKind = Literal["answer", "emergency", "urgent", "out_of_scope", "invalid"]


@dataclass(frozen=True)
class Section:
    """A heading and the blocks under it, as a parser recovered them from one document.

    `path` is the heading trail from the document title down (title, section, subsection);
    `paragraphs` are prose blocks and `items` the bulleted or numbered lines, in source order.
    """

    path: tuple[str, ...]
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    trailing: tuple[str, ...] = ()
    """Prose that follows the list (e.g. "The Bridge exercise targets…")."""


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit: a whole exercise, precaution, FAQ or information section.

    Exercises keep their structure (steps, dose, targets) so answers quote them verbatim
    instead of re-deriving them from flat text.
    """

    chunk_id: str
    doc: str
    title: str
    section: str
    kind: ChunkKind
    text: str
    summary: str = ""
    steps: tuple[str, ...] = ()
    dose: tuple[str, ...] = ()
    targets: str = ""
    category: str = ""
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    caution: str = ""
    caution_see: str = ""
    cues: tuple[str, ...] = ()
    """For a group: words that, in a request for a list, point at this group."""

    @property
    def source_label(self) -> str:
        """Where a reader finds it in the document, e.g. "Precautions And Tips › Gradual Progression"."""
        return self.section if self.title == self.section else f"{self.section} › {self.title}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
        return cls(**{**data, **tuples})


@dataclass(frozen=True)
class Hit:
    """A ranked search result: the chunk's identity, its text and the fused score."""

    chunk_id: str
    title: str
    section: str
    text: str
    kind: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Source:
    """What a reply was drawn from, for the reader and for a clinic's audit."""

    chunk_id: str
    title: str
    section: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """The one reply shape every interface returns (the public contract in DESIGN.md)."""

    text: str
    kind: AnswerKind
    sources: list[Source] = field(default_factory=list)
    footer: str = ""
    corpus_hash: str = ""
    suggestions: tuple[str, ...] = ()
    category: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "sources": [s.to_dict() for s in self.sources],
            "footer": self.footer,
            "chunk_ids": [s.chunk_id for s in self.sources],
            "corpus_hash": self.corpus_hash,
            "suggestions": list(self.suggestions),
            "category": self.category,
        }
