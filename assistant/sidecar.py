"""Reviewable structure and corrections kept next to a source document (`<name>.toml`)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError

IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
# An SVG is shown on the clinic's pages from the assistant's own origin, so it must be a picture and
# nothing else: no script, no event handlers, no embedded HTML, nothing fetched from elsewhere.
ACTIVE_SVG = re.compile(r"<script|<foreignObject|\son\w+\s*=|(?:href|src)\s*=\s*[\"']\s*(?!#|data:image/)[a-z]+:",
                        re.IGNORECASE)


@dataclass(frozen=True)
class SectionRule:
    """How one top-level heading maps to chunk ids and kinds."""

    heading: str
    key: str
    own: str = "overview"
    kind: str = "info"
    child_kind: str = ""
    category: str = ""


@dataclass(frozen=True)
class ExerciseRule:
    """A display name override, extra aliases and related chunks for one exercise id."""

    name: str = ""
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    image: str = ""
    """A picture of it, relative to the document's folder; needs `image_alt`."""
    image_alt: str = ""


@dataclass(frozen=True)
class Mention:
    """An exercise the document names without explaining: answered by quoting that sentence."""

    chunk_id: str
    name: str
    quote: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sidecar:
    """Everything about a document the parser cannot infer from its text; empty for plain Markdown."""

    title: str = ""
    chrome_starts: tuple[str, ...] = ()
    ignore_headings: tuple[str, ...] = ()
    missing_headings: tuple[tuple[str, str], ...] = ()
    renames: dict[str, str] = field(default_factory=dict)
    text_fixes: tuple[tuple[str, str], ...] = ()
    section_closers: tuple[str, ...] = ()
    sections: tuple[SectionRule, ...] = ()
    exercises: dict[str, ExerciseRule] = field(default_factory=dict)
    mentions: tuple[Mention, ...] = ()
    safety_quote: str = ""
    safety_see: str = ""
    group_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def section_rule(self, heading: str) -> SectionRule | None:
        return next((rule for rule in self.sections if rule.heading == heading), None)


def sidecar_path(source: Path) -> Path:
    return source.with_suffix(".toml")


def load_sidecar(source: Path) -> Sidecar:
    """Read `<source>.toml` if present; a malformed file names itself and the problem."""
    path = sidecar_path(source)
    if not path.exists():
        return Sidecar()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Sidecar(
            title=raw.get("title", ""),
            chrome_starts=tuple(raw.get("chrome_starts", ())),
            ignore_headings=tuple(raw.get("ignore_headings", ())),
            missing_headings=tuple((m["before"], m["heading"]) for m in raw.get("missing_headings", ())),
            renames={r["heading"]: r["to"] for r in raw.get("renames", ())},
            text_fixes=tuple((f["find"], f["replace"]) for f in raw.get("text_fixes", ())),
            section_closers=tuple(c["starts"] for c in raw.get("section_closers", ())),
            sections=tuple(SectionRule(**s) for s in raw.get("sections", ())),
            exercises={
                chunk_id: ExerciseRule(
                    name=rule.get("name", ""),
                    aliases=tuple(rule.get("aliases", ())),
                    related=tuple(rule.get("related", ())),
                    image=check_image(path, chunk_id, rule.get("image", ""), rule.get("image_alt", "")),
                    image_alt=rule.get("image_alt", "").strip(),
                )
                for chunk_id, rule in raw.get("exercises", {}).items()
            },
            mentions=tuple(
                Mention(chunk_id=m["id"], name=m["name"], quote=m["quote"], aliases=tuple(m.get("aliases", ())))
                for m in raw.get("mentions", ())
            ),
            safety_quote=raw.get("safety_quote", {}).get("quote", ""),
            safety_see=raw.get("safety_quote", {}).get("see", ""),
            group_cues={gid: tuple(g.get("cues", ())) for gid, g in raw.get("groups", {}).items()},
            phrases={chunk_id: tuple(p) for chunk_id, p in raw.get("phrases", {}).items()},
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: cannot read the corrections file ({exc}). Fix it, then rerun "
                          "`python -m assistant build`.") from exc


def check_image(sidecar: Path, chunk_id: str, image: str, alt: str) -> str:
    """The picture's path as given, once it is known to be a safe image file inside the corpus folder."""
    if not image and not alt:
        return ""
    where = f"{sidecar}: [exercises.\"{chunk_id}\"]"
    if not image or not alt.strip():
        raise CorpusError(f"{where} needs both `image` and `image_alt` (the words a screen reader says instead).")
    folder = sidecar.parent.resolve()
    target = (folder / image).resolve()
    if not target.is_relative_to(folder) or target.suffix.lower() not in IMAGE_SUFFIXES:
        raise CorpusError(f"{where}: image {image!r} must be a {', '.join(IMAGE_SUFFIXES)} file inside {folder}.")
    if not target.is_file():
        raise CorpusError(f"{where}: image {image!r} does not exist (looked for {target}).")
    if target.suffix.lower() == ".svg" and ACTIVE_SVG.search(target.read_text(encoding="utf-8", errors="replace")):
        raise CorpusError(f"{where}: {image!r} holds script, event handlers or outside links; "
                          "an exercise picture may only draw.")
    return target.relative_to(folder).as_posix()
