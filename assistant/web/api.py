"""The REST routes: POST /api/ask, GET /healthz, GET /widget.js and GET /corpus/ (exercise pictures).

Request models document themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from assistant import Assistant, Settings
from assistant.web import fallback, guard
from assistant.web.answering import Answering
from assistant.web.events import EventRecorder
from assistant.web.schema import AskResponse

STATIC = Path(__file__).parent / "static"
# Where widget.js expects the server to write the clinic's contacts and wording (see widget_script).
WIDGET_CONFIG = "/*@config*/null"
# Bounds on the conversation state a client sends back: far more ids, and far longer, than any reply has.
MAX_STATE_IDS = 50
MAX_CHUNK_ID_CHARS = 200
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".webp": "image/webp"}


class TextPart(BaseModel):
    """A browser-style content part; Gradio sends message content as a list of these."""

    type: Literal["text"]
    text: str


def request_model(settings: Settings) -> type[BaseModel]:
    """The body of POST /api/ask, with this deployment's limits in its schema (and so in /docs)."""
    chars = settings.max_message_chars

    class HistoryMessage(BaseModel):
        role: Literal["user", "assistant"]
        content: Annotated[str, Field(max_length=chars)] | list[TextPart]
        chunk_ids: list[Annotated[str, Field(max_length=MAX_CHUNK_ID_CHARS)]] | None = Field(
            default=None, max_length=MAX_STATE_IDS,
            description="On a reply: the `chunk_ids` the API returned with it, so a follow-up (\"how long do I "
                        "hold it?\") finds its topic from data. Without them the reply's text is read instead.")

    class AskRequest(BaseModel):
        question: str = Field(description="The user's message. Longer than the configured limit is a 422.",
                              examples=["How do I do the bridge?"])
        history: list[HistoryMessage] = Field(
            default_factory=list, max_length=settings.max_history_messages,
            description="The conversation so far, oldest first; replies as the API returned their `text`.",
            examples=[[{"role": "user", "content": "How do I do the bridge?"},
                       {"role": "assistant", "content": "### Bridge (strengthening exercise) ...",
                        "chunk_ids": ["strengthen/bridge"]}]])

    return AskRequest


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 without the offending input, which can be NaN or Infinity (not JSON, so echoing
    it was a 500) or large; `loc` and `msg` still say what to fix."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
              for e in errors]
    return JSONResponse({"detail": detail}, status_code=422)


def widget_script(settings: Settings) -> str:
    """widget.js with the clinic's phone, booking link and wording written in, so it can help a patient
    even when this server cannot be reached (the clinic may serve its own copy of it)."""
    config = json.dumps(fallback.widget_config(settings), ensure_ascii=True).replace("<", "\\u003c")
    return (STATIC / "widget.js").read_text(encoding="utf-8").replace(WIDGET_CONFIG, config, 1)


def router(bot: Assistant, events: EventRecorder) -> APIRouter:
    routes = APIRouter()
    script = widget_script(bot.settings)
    # Only the pictures the corpus names are served, so no other file under the corpus folder is reachable.
    corpus = bot.settings.corpus_dir
    pictures = {c.image: corpus / c.image for c in bot.built.chunks if c.image}
    answering = Answering()

    def answered(request: Any) -> JSONResponse:
        try:
            reply = guard.answer(bot, request.question, [m.model_dump() for m in request.history])
        except guard.RequestError as exc:
            # The same 422 shape FastAPI uses for schema errors, so a client handles one format.
            raise RequestValidationError([{"loc": ("body", exc.field), "msg": str(exc), "type": "value_error",
                                           "input": None}]) from exc
        # Recorded like a chat reply, with no session: nobody can vote on a REST reply.
        events.issue(reply, None, request.question)
        # Written here, in the worker: a dict would have FastAPI validate it against `AskResponse` and encode it
        # again on the event loop, 0.3 ms a reply (issue 13). The schema contract test and schemathesis hold
        # `to_dict()` to the published schema instead.
        return JSONResponse(reply.to_dict())

    async def ask(request: Any) -> JSONResponse:
        """The same structured answer as `Assistant.ask` in Python and the chat in the browser.

        A coroutine that answers on the event loop when the server is otherwise idle, else in one worker
        thread (`answering.py`): a plain function would always take a worker, and have FastAPI hand the
        response to a second one; each hop costs about a millisecond under load (issue 13)."""
        return await answering.run(lambda: answered(request), request.question, len(request.history))

    # The body's model is built from this deployment's settings, so it is attached here rather than
    # named in the signature (FastAPI resolves annotations in the module, where it does not exist).
    ask.__annotations__["request"] = request_model(bot.settings)
    routes.add_api_route("/api/ask", ask, methods=["POST"], tags=["assistant"], response_model=AskResponse,
                         summary="Answer one question in a conversation",
                         response_description="Answer.to_dict(), as in Python")

    @routes.get("/healthz", tags=["operations"], summary="Liveness plus which index is being served")
    async def healthz() -> dict[str, Any]:
        """`status` is "degraded" while the event store cannot be written: answers still work, replies and
        votes are not saved. `store` names its engine ("sqlite", "postgresql", or "off")."""
        # On the event loop (it only reads attributes): a load balancer's check no longer queues for a worker
        # thread behind the answers, which took up to 457 ms under 16 clients.
        manifest = bot.manifest
        problem = events.problem
        return {"status": "degraded" if problem else "ok", "corpus_hash": manifest.corpus_hash,
                "chunk_count": manifest.chunk_count, "model": manifest.model,
                "feedback": "not writable" if problem else "ok", "store": events.engine_name}

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
                            headers={"Cache-Control": "public, max-age=3600"})

    return routes
