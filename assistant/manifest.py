"""The index's manifest (`index/manifest.json`) as one typed record, read and checked in this one place.

Every other module reads its fields by name (`manifest.corpus_hash`), so a misspelt or missing key is an
error where the file is read, naming the file and the fix, not a `None` found later in a health check.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.errors import IndexCorruptError

MANIFEST_FILE = "manifest.json"
REBUILD_HINT = "rebuild it with `python -m assistant build` (or `make index`)"


@dataclass(frozen=True)
class StoredFile:
    """One file of the data folder, as the build wrote it: checked before it is read."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What was built, from what, with which model and library versions, and where its files are.

    `data` and `files` are empty until `save_index` writes the data folder; every other field is set by
    `build_index`. A manifest from an older format may lack newer fields: they read as their defaults, and
    `stale_reason` then asks for a rebuild because `format` differs.
    """

    format: int = 0
    model: str = ""
    model_fingerprint: str = ""
    dimension: int = 0
    corpus_hash: str = ""
    documents: tuple[str, ...] = ()
    chunk_count: int = 0
    vector_count: int = 0
    index_type: str = ""
    index_params: dict[str, int] = field(default_factory=dict)
    exemplars_sha256: str = ""
    """The red-flag exemplar file the stored exemplar vectors were encoded from."""
    scope_training: str = ""
    """The fingerprint of the scope model's training data and rules (`scope_train.training_fingerprint`)."""
    built_at: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    data: str = ""
    """The data folder (`data-<id>/`) beside the manifest."""
    files: dict[str, StoredFile] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["documents"] = list(self.documents)
        return raw

    @classmethod
    def from_dict(cls, raw: Any, source: Path | str = MANIFEST_FILE) -> Manifest:
        """Check each known field's type; unknown fields (from a newer build) are ignored."""
        if not isinstance(raw, dict):
            raise IndexCorruptError(f"{source} is corrupt (not a JSON object); {REBUILD_HINT}.")
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name not in raw:
                continue
            value = raw[spec.name]
            try:
                values[spec.name] = _typed(spec.name, value)
            except (TypeError, ValueError, KeyError) as exc:
                raise IndexCorruptError(f"{source} is corrupt ({spec.name}: {exc}); {REBUILD_HINT}.") from exc
        return cls(**values)


def _typed(name: str, value: Any) -> Any:
    if name in ("format", "dimension", "chunk_count", "vector_count"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"expected an integer, not {value!r}")
        return value
    if name == "documents":
        return tuple(_strings(value))
    if name == "index_params":
        if not isinstance(value, dict) or not all(isinstance(v, int) for v in value.values()):
            raise TypeError("expected a table of integers")
        return dict(value)
    if name == "versions":
        if not isinstance(value, dict):
            raise TypeError("expected a table of versions")
        return {str(k): str(v) for k, v in value.items()}
    if name == "files":
        if not isinstance(value, dict):
            raise TypeError("expected a table of files")
        return {str(k): StoredFile(size=int(v["size"]), sha256=str(v["sha256"])) for k, v in value.items()}
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {value!r}")
    return value


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return value


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest, or None when no index was built; unreadable JSON is corruption, not absence."""
    path = folder / MANIFEST_FILE
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{path} is corrupt ({exc}); {REBUILD_HINT}.") from exc
    if not isinstance(raw, dict) or "data" not in raw or "files" not in raw:
        raise IndexCorruptError(f"{path} is corrupt (missing the data and files entries); {REBUILD_HINT}.")
    return Manifest.from_dict(raw, path)
