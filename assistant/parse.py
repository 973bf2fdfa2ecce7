"""Recover sections (headings, prose, list items) from a plain-text article or a Markdown handout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.records import Section
from assistant.sidecar import Sidecar

BULLET = re.compile(r"^\s*(?:[•\-*+]|\d{1,2}[.)])\s+")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# "1. Planks: Hold a straight line…" written inline inside one paragraph.
INLINE_ITEM = re.compile(r"(?:(?<=\s)|^)\d{1,2}\.\s+(?=[A-Z][\w' -]{1,40}:\s)")
HEADING_END = re.compile(r"[.:;,!]$")


@dataclass
class _Draft:
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)

    def add_prose(self, text: str) -> None:
        # Prose after a list describes the list ("The Bridge exercise targets…"); keep it apart.
        (self.trailing if self.items else self.paragraphs).append(text)


class _Builder:
    """Collects blocks under the current heading trail, in document order."""

    def __init__(self, title: str, sidecar: Sidecar) -> None:
        self.sidecar = sidecar
        self.path: tuple[str, ...] = (title,)
        self.drafts: dict[tuple[str, ...], _Draft] = {self.path: _Draft()}

    def heading(self, text: str, top_level: bool) -> None:
        text = self.sidecar.renames.get(text, text)
        parent = self.path[:1] if top_level else self.path[:2]
        self.path = (*parent, text)
        self.drafts.setdefault(self.path, _Draft())

    def prose(self, text: str) -> None:
        if any(text.startswith(c) for c in self.sidecar.section_closers):
            self.drafts[self.path[:2]].add_prose(text)
            return
        lead, items = split_inline_items(text)
        draft = self.drafts[self.path]
        if lead:
            draft.add_prose(lead)
        draft.items.extend(items)

    def item(self, text: str) -> None:
        lead, items = split_inline_items(text)
        self.drafts[self.path].items.extend([lead, *items] if lead else items)

    def sections(self) -> list[Section]:
        return [
            Section(path=path, paragraphs=tuple(d.paragraphs), items=tuple(d.items), trailing=tuple(d.trailing))
            for path, d in self.drafts.items()
            if d.paragraphs or d.items or d.trailing
        ]


def split_inline_items(paragraph: str) -> tuple[str, list[str]]:
    """Split "Try these: 1. Planks: … 2. Bird dogs: …" into its lead and its items."""
    parts = INLINE_ITEM.split(paragraph)
    if len(parts) == 1:
        return paragraph, []
    return parts[0].strip(), [p.strip() for p in parts[1:] if p.strip()]


def _apply_text_fixes(raw: str, source: Path, sidecar: Sidecar) -> str:
    for find, replace in sidecar.text_fixes:
        count = raw.count(find)
        if count != 1:
            raise CorpusError(f"{source}: the correction {find!r} matches {count} places, not exactly one; "
                              f"update {source.with_suffix('.toml').name}.")
        raw = raw.replace(find, replace)
    return raw


def _cut_chrome(lines: list[str], sidecar: Sidecar) -> list[str]:
    for i, line in enumerate(lines):
        if any(line.strip().startswith(marker) for marker in sidecar.chrome_starts):
            return lines[:i]
    return lines


def _insert_missing_headings(lines: list[str], source: Path, sidecar: Sidecar) -> list[str]:
    for before, heading in sidecar.missing_headings:
        at = next((i for i, line in enumerate(lines) if line.strip().startswith(before)), None)
        if at is None:
            raise CorpusError(f"{source}: no line starts with {before!r} to put the heading {heading!r} before; "
                              f"update {source.with_suffix('.toml').name}.")
        lines = [*lines[:at], "", heading, "", *lines[at:]]
    return lines


def _looks_like_heading(block: list[str]) -> bool:
    line = block[0].strip()
    return len(block) == 1 and not BULLET.match(line) and len(line) <= 90 and not HEADING_END.search(line)


def parse_text(raw: str, source: Path, sidecar: Sidecar) -> list[Section]:
    """Plain text: headings are lone short lines; "•" lines are list items; the first line is the title."""
    raw = _apply_text_fixes(raw, source, sidecar)
    lines = _insert_missing_headings(_cut_chrome(raw.splitlines(), sidecar), source, sidecar)
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if not blocks:
        raise CorpusError(f"{source}: the document is empty.")
    builder = _Builder(sidecar.title or blocks[0][0].strip(), sidecar)
    for block in blocks[1:] if not sidecar.title or blocks[0][0].strip() == sidecar.title else blocks:
        if _looks_like_heading(block):
            heading = block[0].strip()
            if heading not in sidecar.ignore_headings:
                top = not sidecar.sections or sidecar.section_rule(sidecar.renames.get(heading, heading)) is not None
                builder.heading(heading, top_level=top)
            continue
        prose: list[str] = []
        for line in block:
            if BULLET.match(line):
                if prose:
                    builder.prose(" ".join(prose))
                    prose = []
                builder.item(BULLET.sub("", line).strip())
            else:
                prose.append(line.strip())
        if prose:
            builder.prose(" ".join(prose))
    return builder.sections()


def parse_markdown(raw: str, source: Path, sidecar: Sidecar) -> list[Section]:
    """Markdown: `#` is the title, `##` a section, `###` and deeper a subsection; list items are steps."""
    raw = _apply_text_fixes(raw, source, sidecar)
    lines = _cut_chrome(raw.splitlines(), sidecar)
    title = sidecar.title or next(
        (m.group(2) for m in map(MD_HEADING.match, lines) if m and len(m.group(1)) == 1),
        source.stem.replace("-", " ").replace("_", " ").title(),
    )
    builder = _Builder(title, sidecar)
    prose: list[str] = []

    def flush() -> None:
        if prose:
            builder.prose(" ".join(prose))
            prose.clear()

    for line in lines:
        heading = MD_HEADING.match(line)
        if heading:
            flush()
            level, text = len(heading.group(1)), heading.group(2)
            if level > 1 and text not in sidecar.ignore_headings:
                builder.heading(text, top_level=level == 2)
        elif BULLET.match(line):
            flush()
            builder.item(BULLET.sub("", line).strip())
        elif line.strip():
            prose.append(line.strip())
        else:
            flush()
    flush()
    return builder.sections()


def parse_document(source: Path, sidecar: Sidecar) -> list[Section]:
    """Parse one corpus file by its suffix; unreadable text names the file."""
    try:
        raw = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{source}: cannot read it as UTF-8 text ({exc}).") from exc
    parser = parse_markdown if source.suffix.lower() == ".md" else parse_text
    return parser(raw, source, sidecar)
