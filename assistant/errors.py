"""Named errors a caller can act on; each message says which file or command fixes it."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for every error this package raises on purpose."""


class CorpusError(AssistantError):
    """A corpus document or its corrections file cannot be parsed as written."""


class IndexCorruptError(AssistantError):
    """The built index on disk is unreadable or inconsistent with its manifest."""


class ModelMissingError(AssistantError):
    """The bundled embedding model cannot be found or loaded."""
