"""The REST routes: POST /api/ask, GET /healthz and GET /widget.js; request models document themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from assistant import Assistant, Settings
from assistant.web import fallback, guard

STATIC = Path(__file__).parent / "static"
# Where widget.js expects the server to write the clinic's contacts and wording (see widget_script).
WIDGET_CONFIG = "/*@config*/null"
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".webp": "image/webp"}
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


def widget_script(settings: Settings) -> str:
    """widget.js with the clinic's phone, booking link and wording written in, so it can help a patient
    even when this server cannot be reached (the clinic may serve its own copy of it)."""
    config = json.dumps(fallback.widget_config(settings), ensure_ascii=True).replace("<", "\\u003c")
    return (STATIC / "widget.js").read_text(encoding="utf-8").replace(WIDGET_CONFIG, config, 1)


def router(bot: Assistant) -> APIRouter:
    routes = APIRouter()
    script = widget_script(bot.settings)
    # Only the pictures the corpus names are served, so no other file under the corpus folder is reachable.
    corpus = bot.settings.corpus_dir
    pictures = {c.image: corpus / c.image for c in bot.built.chunks if c.image}

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
                response_class=Response)
    def widget() -> Response:
        return Response(script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})

    @routes.get("/corpus/{image:path}", tags=["assistant"], summary="An exercise picture named by the corpus",
                response_class=FileResponse)
    def picture(image: str) -> FileResponse:
        path = pictures.get(image)
        if path is None or not path.is_file():
            raise HTTPException(status_code=404, detail="No such picture.")
        return FileResponse(path, media_type=IMAGE_TYPES[path.suffix.lower()],
                            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

    return routes
