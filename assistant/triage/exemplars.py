"""Exemplars of every red-flag category and of look-alikes: short lay sentences written from the guidance.

How close a message's sentences come to them (cosine of MiniLM vectors) is one of the learned opinion's inputs
(learned.py), and the exemplar a raised sentence reads most like is what the card's explanation names. Their
vectors are built with the index (`exemplars.npy`, this file's SHA-256 in the manifest).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from assistant.triage.policy import red_flags

EXEMPLARS_FILE = "red_flag_exemplars.toml"


@dataclass(frozen=True)
class Exemplars:
    """The exemplar sentences: (category, text) rows, then the look-alikes."""

    rows: tuple[tuple[str, str], ...]
    contrast: tuple[str, ...]
    digest: str

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.rows] + list(self.contrast)


@lru_cache(maxsize=1)
def exemplars() -> Exemplars:
    """The bundled exemplars file, checked: every category must be a red-flag category."""
    raw = (resources.files("assistant") / EXEMPLARS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    unknown = set(data) - {"category", "contrast"}
    if unknown:
        raise ValueError(f"{EXEMPLARS_FILE}: unknown keys {sorted(unknown)}")
    known = {c.id for c in red_flags().categories}
    if not set(data["category"]) <= known:
        raise ValueError(f"{EXEMPLARS_FILE}: unknown categories {sorted(set(data['category']) - known)}")
    rows = tuple((cid, text) for cid, table in data["category"].items() for text in table["exemplars"])
    return Exemplars(rows, tuple(data["contrast"]["exemplars"]), hashlib.sha256(raw.encode()).hexdigest())
