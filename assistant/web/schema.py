"""The REST reply as a pydantic model, so `/openapi.json` describes exactly what `Answer.to_dict()` returns.

`tests/web/test_schema_contract.py` checks the two against each other, field by field, and schemathesis
(tests/attack) checks live replies against the published schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SourceModel(BaseModel):
    """One passage a reply was drawn from, best first."""

    model_config = ConfigDict(extra="forbid")

    chunk_id: str = Field(description="Stable id of the passage, e.g. `strengthen/bridge`.")
    title: str
    section: str
    score: float = Field(description="Its fused retrieval score (1.0 for a follow-up resolved from the chat).")


class ExerciseModel(BaseModel):
    """The one exercise a reply is about, as data an interface can act on."""

    model_config = ConfigDict(extra="forbid")

    chunk_id: str
    title: str
    aspect: Literal["card", "steps", "dose", "targets", "other_side"] = Field(
        description="Which part of the exercise the reply shows: all of it (`card`), the steps, the hold and "
                    "repetitions (`dose`), the muscles it works (`targets`), or the other side.")
    hold_seconds: int = Field(ge=0, description="The shortest hold the article gives, in seconds; 0 when it "
                                                "gives no number.")
    image: str = Field(description="Its drawing, relative to the corpus folder (fetch it from "
                                   "`/corpus/<image>`); empty when it has none.")
    image_alt: str = Field(description="What a screen reader says instead of the drawing.")


class TopicModel(BaseModel):
    """What a follow-up leans on: send the reply's `chunk_ids` back with it in `history` to keep it."""

    model_config = ConfigDict(extra="forbid")

    chunk_id: str = Field(description="The passage the reply was about (its first source).")
    aspect: Literal["card", "steps", "dose", "targets", "other_side"] = Field(
        description="Which part of it the reply showed, as in `exercise.aspect`.")


class AskResponse(BaseModel):
    """`Answer.to_dict()`: the same reply as `Assistant.ask` in Python."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The whole reply as Markdown, ending with the footer. Render it with an "
                                  "escaping Markdown renderer, never as raw HTML.")
    kind: Literal["answer", "emergency", "urgent", "out_of_scope", "invalid"] = Field(
        description="`emergency` and `urgent` replies carry urgent-care advice and no exercises.")
    sources: list[SourceModel]
    footer: str = Field(description="The safety footer (the tail of `text`).")
    chunk_ids: list[str] = Field(description="The `chunk_id` of each source, in the same order.")
    corpus_hash: str = Field(description="Which build of the corpus answered.")
    suggestions: list[str] = Field(description="Follow-up questions the assistant can answer.")
    category: str | None = Field(
        description="What kind of reply it is, for interfaces that style them: `small_talk`, `not_covered` "
                    "(the article does not say), `caution` (a group it does not cover), `service`, `language` "
                    "(not English), a refusal's reason (`diagnosis`, `medication`, `other_body_part`, ...), or "
                    "a red flag's category (`cauda_equina`, ...); null for a plain answer.")
    exercise: ExerciseModel | None = Field(
        description="Set when the reply is about one exercise (added after the first release); else null.")
    topic: TopicModel | None = Field(
        description="The conversation state the reply implies, set when a follow-up (\"how long do I hold it?\") "
                    "may lean on it (added after the first release); else null.")
