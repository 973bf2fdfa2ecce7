"""Turn parsed sections into chunks: one per exercise, precaution, FAQ or information section."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from assistant.errors import CorpusError
from assistant.records import Chunk, Section
from assistant.sidecar import ExerciseRule, SectionRule, Sidecar

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
HOW_TO_LEAD = re.compile(r"^To perform this exercise", re.IGNORECASE)
DOSE = re.compile(
    r"\bhold\b[^.]*\bfor\s+(?:a\s+few|\d)|\brepeat\b|\balternate\b|\bswitch sides\b|"
    r"\bseconds?\b|\bminutes?\b|\btimes\b",
    re.IGNORECASE,
)
# A hold the article gives in numbers: "hold this pose for 30 seconds to 1 minute", "hold ... for 15 to 30
# seconds". The first number is kept: the shortest hold the article asks for ("a few seconds" is no number).
HOLD_TIME = re.compile(r"\bhold\b[^.]*?\bfor\s+(\d+)(?:\s*(?:to|-|–)\s*\d+)?\s*(seconds?|minutes?)\b", re.IGNORECASE)
TARGETS = re.compile(r"\b(?:targets?|engages?|works?|strengthens?)\b", re.IGNORECASE)
NAME_SUFFIX = re.compile(r"\s+(?:stretch|exercise)$", re.IGNORECASE)
FAQ_ITEM = re.compile(r"^([A-Z][\w' -]{1,40}):\s+(.+)$")


def slug(text: str) -> str:
    """Stable ASCII id part: "Child's Pose" → "childs-pose"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def hold_seconds(lines: Iterable[str]) -> int:
    """The shortest hold, in seconds, that the first line giving a number asks for; 0 when none does."""
    for line in lines:
        match = HOLD_TIME.search(line)
        if match:
            return int(match.group(1)) * (60 if match.group(2).lower().startswith("minute") else 1)
    return 0


def default_aliases(name: str) -> tuple[str, ...]:
    """The name as people type it: lower case, without "stretch", with a plural."""
    base = NAME_SUFFIX.sub("", name).lower()
    plural = base if base.endswith("s") else base + "s"
    return tuple(dict.fromkeys([name.lower(), base, plural, base.replace("-", " "), base.replace("'", "")]))


class _DocumentChunker:
    """Applies one document's section rules; plain Markdown gets sensible defaults from its shape."""

    def __init__(self, doc: str, title: str, sidecar: Sidecar) -> None:
        self.doc = doc
        self.title = title
        self.sidecar = sidecar
        self.chunks: list[Chunk] = []
        self.children: dict[str, list[str]] = {}
        """Exercise and precaution ids under each top-level heading: the members of its group."""

    def rule_for(self, heading: str) -> SectionRule:
        rule = self.sidecar.section_rule(heading)
        if rule:
            return rule
        return SectionRule(heading=heading, key=f"{self.doc_key}/{slug(heading)}", category=heading.lower())

    @property
    def doc_key(self) -> str:
        return slug(self.doc.rsplit(".", 1)[0])

    def add(self, section: Section) -> None:
        if len(section.path) == 1:
            self.chunks.append(self.info(f"{self.intro_key()}/introduction", self.title, self.title, section, "info"))
            return
        rule = self.rule_for(section.path[1])
        if len(section.path) == 2:
            kind = rule.kind if self.sidecar.sections else ("exercise" if section.items else "info")
            if kind == "exercise":
                self.chunks.append(self.exercise(f"{rule.key}/{rule.own}", section.path[1], rule, section))
            else:
                self.chunks.append(self.info(f"{rule.key}/{rule.own}", section.path[1], section.path[1], section, kind))
            return
        name = section.path[2]
        child_kind = rule.child_kind or ("faq" if name.endswith("?") else "exercise" if section.items else "info")
        chunk_id = f"{rule.key}/{slug(NAME_SUFFIX.sub('', name))}"
        if child_kind in ("exercise", "precaution"):
            self.children.setdefault(section.path[1], []).append(chunk_id)
        if child_kind == "exercise":
            self.chunks.append(self.exercise(chunk_id, name, rule, section))
        else:
            self.chunks.append(self.info(chunk_id, name, section.path[1], section, child_kind))
            if child_kind == "faq":
                self.chunks.extend(self.faq_exercises(rule, section))

    def intro_key(self) -> str:
        return "about" if self.sidecar.sections else self.doc_key

    def info(self, chunk_id: str, title: str, section_name: str, section: Section, kind: str) -> Chunk:
        text = "\n\n".join([*section.paragraphs, *(f"• {item}" for item in section.items), *section.trailing])
        return Chunk(chunk_id=chunk_id, doc=self.doc, title=title, section=section_name, kind=kind,  # type: ignore[arg-type]
                     text=text, summary=(sentences(text) or [""])[0])

    def exercise(self, chunk_id: str, name: str, rule: SectionRule, section: Section) -> Chunk:
        lead = [s for p in section.paragraphs for s in sentences(p) if not HOW_TO_LEAD.match(s)]
        trailing = [s for p in section.trailing for s in sentences(p)]
        extra = self.sidecar.exercises.get(chunk_id)
        text = "\n\n".join([" ".join(lead), *(f"• {step}" for step in section.items), " ".join(trailing)]).strip()
        dose = tuple(dict.fromkeys(step for step in section.items if DOSE.search(step)))
        return Chunk(
            chunk_id=chunk_id, doc=self.doc, title=(extra.name if extra and extra.name else name),
            section=section.path[1], kind="exercise", text=text, summary=" ".join(lead[:1]),
            steps=section.items, dose=dose, hold_seconds=hold_seconds(dose),
            targets=next((s for s in trailing if TARGETS.search(s)), " ".join(lead[:1])),
            category=rule.category, aliases=self.aliases(chunk_id, name),
            related=extra.related if extra else (), **self.caution(), **self.picture(extra),
        )

    def faq_exercises(self, rule: SectionRule, section: Section) -> Iterable[Chunk]:
        """Exercises listed inline in an FAQ answer that the document does not explain elsewhere."""
        for item in section.items:
            match = FAQ_ITEM.match(item)
            if not match or self.known_exercise(match.group(1)):
                continue
            chunk_id = f"{rule.key}/{slug(match.group(1))}"
            extra = self.sidecar.exercises.get(chunk_id)
            instruction = match.group(2)
            dose = tuple(s for s in sentences(instruction) if DOSE.search(s))
            yield Chunk(
                chunk_id=chunk_id, doc=self.doc, title=(extra.name if extra and extra.name else match.group(1)),
                section=f"{section.path[1]} › {section.path[2]}", kind="exercise", text=instruction,
                summary=instruction, dose=dose, hold_seconds=hold_seconds(dose),
                aliases=self.aliases(chunk_id, match.group(1)), related=extra.related if extra else (),
                **self.caution(), **self.picture(extra),
            )

    def known_exercise(self, name: str) -> bool:
        wanted = name.lower()
        return any(wanted in c.aliases for c in self.chunks if c.kind == "exercise")

    def aliases(self, chunk_id: str, name: str) -> tuple[str, ...]:
        extra = self.sidecar.exercises.get(chunk_id)
        names = [name, *([extra.name] if extra and extra.name else [])]
        found = [alias for n in names for alias in default_aliases(n)]
        return tuple(dict.fromkeys([*found, *(extra.aliases if extra else ())]))

    def caution(self) -> dict[str, str]:
        return {"caution": self.sidecar.safety_quote, "caution_see": self.sidecar.safety_see}

    @staticmethod
    def picture(extra: ExerciseRule | None) -> dict[str, str]:
        return {"image": extra.image, "image_alt": extra.image_alt} if extra else {}

    def add_markdown_groups(self) -> None:
        """Without a corrections file, a section holding exercises is a group, with or without its own text."""
        for heading in self.children:
            own = next((i for i, c in enumerate(self.chunks) if c.section == heading and c.title == heading), None)
            if own is not None:
                self.chunks[own] = replace(self.chunks[own], kind="group")
            else:
                first = next(i for i, c in enumerate(self.chunks) if c.section == heading)
                self.chunks.insert(first, Chunk(chunk_id=f"{self.rule_for(heading).key}/overview", doc=self.doc,
                                                title=heading, section=heading, kind="group", text=""))

    def group_cues(self, group: Chunk) -> tuple[str, ...]:
        """Reviewed cues from the corrections file; `headings.py` adds those the headings give."""
        return self.sidecar.group_cues.get(group.chunk_id, ())

    def finish(self) -> list[Chunk]:
        """Fill group members, add mentions, and check every reviewable quote against the text."""
        if not self.sidecar.sections:
            self.add_markdown_groups()
        chunks = [replace(c, members=tuple(self.children.get(c.section, ())), cues=self.group_cues(c))
                  if c.kind == "group" else c for c in self.chunks]
        chunks = [replace(c, aliases=(*c.aliases, *self.sidecar.phrases[c.chunk_id]))
                  if c.chunk_id in self.sidecar.phrases else c for c in chunks]
        for mention in self.sidecar.mentions:
            home = next((c for c in chunks if mention.quote in c.text), None)
            if home is None:
                raise CorpusError(f"{self.doc}: the mention quote {mention.quote!r} is not in the text.")
            chunks.append(Chunk(chunk_id=mention.chunk_id, doc=self.doc, title=mention.name, section=home.section,
                                kind="mention", text=mention.quote, summary=mention.quote,
                                aliases=tuple(dict.fromkeys([*default_aliases(mention.name), *mention.aliases])),
                                related=(home.chunk_id,)))
        if self.sidecar.safety_quote and not any(self.sidecar.safety_quote in c.text for c in chunks):
            raise CorpusError(f"{self.doc}: the safety quote {self.sidecar.safety_quote!r} is not in the text.")
        unknown = (set(self.sidecar.phrases) | set(self.sidecar.exercises)) - {c.chunk_id for c in chunks}
        if unknown:
            raise CorpusError(f"{self.doc}: the corrections file names chunks that do not exist: {sorted(unknown)}.")
        return chunks


def document_title(sections: list[Section]) -> str:
    return sections[0].path[0] if sections else ""


def chunk_document(doc: str, sections: list[Section], sidecar: Sidecar) -> list[Chunk]:
    """Chunks of one document, in source order; each keeps an exercise's steps together."""
    if not sections:
        raise CorpusError(f"{doc}: no content found.")
    chunker = _DocumentChunker(doc, document_title(sections), sidecar)
    for section in sections:
        chunker.add(section)
    return chunker.finish()
