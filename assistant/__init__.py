"""A back-exercise chat assistant: extractive answers from one article, red-flag triage first."""

from assistant.assistant import Assistant
from assistant.errors import AssistantError, CorpusError, IndexCorruptError, ModelMissingError
from assistant.records import Answer, Chunk, Exercise, Hit, Source, Topic
from assistant.settings import Settings

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Chunk",
    "CorpusError",
    "Exercise",
    "Hit",
    "IndexCorruptError",
    "ModelMissingError",
    "Settings",
    "Source",
    "Topic",
]
