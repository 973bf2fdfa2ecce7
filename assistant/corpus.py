"""Read every document in the corpus folder into chunks, with a content hash for staleness checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.chunk import chunk_document, document_title
from assistant.errors import CorpusError
from assistant.headings import with_heading_cues
from assistant.parse import parse_document
from assistant.records import Chunk
from assistant.sidecar import load_sidecar, sidecar_path

DOCUMENT_SUFFIXES = (".txt", ".md")
# Bump when parsing or chunking changes what the same source produces, so built indexes go stale.
CHUNKER_VERSION = "3"


@dataclass(frozen=True)
class Corpus:
    """All chunks of all documents, and a hash of every byte they came from."""

    chunks: tuple[Chunk, ...]
    content_hash: str
    documents: tuple[str, ...]


def corpus_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file())


def corpus_hash(folder: Path) -> str:
    """Hash of the documents, their corrections files and the chunker version."""
    digest = hashlib.sha256(f"chunker:{CHUNKER_VERSION}".encode())
    for path in corpus_files(folder):
        for part in (path, sidecar_path(path)):
            if part.exists():
                digest.update(part.name.encode() + b"\0" + part.read_bytes() + b"\0")
    return digest.hexdigest()


def distinct_titles(titles: dict[str, str]) -> dict[str, str]:
    """Each document's title for source lines, with its file name added where two documents share a title,
    so a source line names one place in one document."""
    shared = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    return {name: f"{title} ({name})" if title in shared else title for name, title in titles.items()}


def load_corpus(folder: Path) -> Corpus:
    """Parse and chunk every `.txt`/`.md` file; ids must be unique across documents."""
    if not folder.is_dir():
        raise CorpusError(f"{folder}: the corpus folder does not exist (set corpus_dir in the settings).")
    files = corpus_files(folder)
    if not files:
        raise CorpusError(f"{folder}: no .txt or .md documents to answer from.")
    chunks: list[Chunk] = []
    titles: dict[str, str] = {}
    for path in files:
        sidecar = load_sidecar(path)
        sections = parse_document(path, sidecar)
        titles[path.name] = sidecar.title or document_title(sections)
        chunks.extend(chunk_document(path.name, sections, sidecar))
    if len(files) > 1:
        # Source lines name the document only when there is more than one to tell apart.
        named = distinct_titles(titles)
        chunks = [replace(c, document=named[c.doc]) for c in chunks]
    seen: dict[str, str] = {}
    for c in chunks:
        if c.chunk_id in seen:
            raise CorpusError(f"chunk id {c.chunk_id!r} comes from both {seen[c.chunk_id]} and {c.doc}; "
                              "rename a heading or give the document a corrections file.")
        seen[c.chunk_id] = c.doc
    return Corpus(chunks=with_heading_cues(chunks, titles), content_hash=corpus_hash(folder),
                  documents=tuple(p.name for p in files))
