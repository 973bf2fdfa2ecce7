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
    hold_seconds: int = 0
    """For an exercise: the shortest hold the article gives in numbers ("15 to 30 seconds" → 15); 0 if none."""
    image: str = ""
    """A picture of the exercise, relative to the corpus folder (from the corrections file), with `image_alt`."""
    image_alt: str = ""
    document: str = ""
    """The title of its document when the corpus holds more than one (source lines then name it); else empty."""

    @property
    def source_label(self) -> str:
        """Where a reader finds it, e.g. "Precautions And Tips › Gradual Progression", with the document's title
        in front when there are several ("Desk Break Stretches › Seated Stretches › Seated Twist Stretch")."""
        place = self.section if self.title == self.section else f"{self.section} › {self.title}"
        return f"{self.document} › {place}" if self.document and self.document != self.section else place

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
class Exercise:
    """The exercise an answer is about, as data, so an interface can add a hold timer, its picture or a
    print view without reading them back out of the Markdown."""

    chunk_id: str
    title: str
    aspect: str
    """Which part of it the reply shows: "card" (all of it), "steps", "dose", "targets" or "other_side"."""
    hold_seconds: int = 0
    image: str = ""
    """Relative to the corpus folder; the web server serves it at `/corpus/<image>`."""
    image_alt: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Topic:
    """The conversation state a reply implies: the chunk a follow-up ("how long do I hold it?") leans on and
    the part of it the reply showed. It is the reply's first source, so a client that sends a reply's
    `chunk_ids` back with it in the history keeps the topic without any rendered text being read again."""

    chunk_id: str
    aspect: str
    """"card" (all of it), "steps", "dose", "targets" or "other_side"."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """The one reply shape every interface returns (the public contract in docs/design.md)."""

    text: str
    kind: AnswerKind
    sources: list[Source] = field(default_factory=list)
    footer: str = ""
    corpus_hash: str = ""
    suggestions: tuple[str, ...] = ()
    category: str | None = None
    exercise: Exercise | None = None
    """Set when the reply shows one exercise (optional; added after the first release of the contract)."""
    topic: Topic | None = None
    """Set when a follow-up may lean on the reply (optional; added after the first release of the contract)."""

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
            "exercise": self.exercise.to_dict() if self.exercise else None,
            "topic": self.topic.to_dict() if self.topic else None,
        }
