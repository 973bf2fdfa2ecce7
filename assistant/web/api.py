"""The REST routes: POST /api/ask, GET /healthz and GET /widget.js; request models document themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from assistant import Assistant
from assistant.web import guard

STATIC = Path(__file__).parent / "static"
# Bounds on the body alone; only the last `max_history_turns` messages are read. Our longest reply is
# about 1,500 characters, so a message far longer than this was not written by this assistant.
MAX_HISTORY_MESSAGES = 200
MAX_MESSAGE_CHARS = 20_000


class TextPart(BaseModel):
    """A browser-style content part; Gradio sends message content as a list of these."""

    type: Literal["text"]
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)] | list[TextPart]


class AskRequest(BaseModel):
    question: str = Field(description="The user's message. Longer than the configured limit is a 422.",
                          examples=["How do I do the bridge?"])
    history: list[HistoryMessage] = Field(
        default_factory=list, max_length=MAX_HISTORY_MESSAGES,
        description="The conversation so far, oldest first; replies as the API returned their `text`.",
        examples=[[{"role": "user", "content": "How do I do the bridge?"},
                   {"role": "assistant", "content": "### Bridge (strengthening exercise) ..."}]])


def router(bot: Assistant) -> APIRouter:
    routes = APIRouter()

    @routes.post("/api/ask", tags=["assistant"], summary="Answer one question in a conversation",
                 response_description="Answer.to_dict(): text, kind, sources, footer, chunk_ids, "
                                      "corpus_hash, suggestions, category")
    def ask(request: AskRequest) -> dict[str, Any]:
        """The same structured answer as `Assistant.ask` in Python and the chat in the browser."""
        try:
            reply = guard.answer(bot, request.question, [m.model_dump() for m in request.history])
        except guard.RequestError as exc:
            # The same 422 shape FastAPI uses for schema errors, so a client handles one format.
            raise RequestValidationError([{"loc": ("body", exc.field), "msg": str(exc), "type": "value_error",
                                           "input": None}]) from exc
        return reply.to_dict()

    @routes.get("/healthz", tags=["operations"], summary="Liveness plus which index is being served")
    def healthz() -> dict[str, Any]:
        manifest = bot.manifest
        return {"status": "ok", "corpus_hash": manifest.get("corpus_hash"),
                "chunk_count": manifest.get("chunk_count"), "model": manifest.get("model")}

    @routes.get("/widget.js", tags=["embedding"], summary="The clinic's one-line embed script",
                response_class=FileResponse)
    def widget() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=300"})

    return routes
