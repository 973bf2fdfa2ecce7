"""Assemble the one server: the front layer (gate, CORS, headers), REST routes, offline API docs, the chat at `/`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from gradio.route_utils import CustomCORSMiddleware
from starlette.applications import Starlette
from starlette.routing import Mount

from assistant import Assistant, Settings
from assistant.insights.store import EventStore
from assistant.web import api, insights, origins, sessions
from assistant.web.chat import build_chat
from assistant.web.events import EventRecorder
from assistant.web.front import Front

# Gradio reports the version it runs in /config and the page; gradio_client reads it to pick its
# protocol (it needs > 4.29), so the major version stays and the exact release does not leak.
REPORTED_GRADIO_VERSION = gr.__version__.split(".")[0]
# FastAPI traces and meters every request into whatever OpenTelemetry providers the process has, and adds OTLP
# exporters when FASTAPI_OTEL_AUTO_CONFIGURE is set: nothing about a visitor's requests leaves the machine.
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                                  "auto_configure": False}


def theme() -> gr.themes.Base:
    # The system's own fonts: Gradio's bundled SemiBold face lacks glyphs, so bold capitals came out uneven.
    return gr.themes.Default(font=("ui-sans-serif", "system-ui", "sans-serif"),
                             font_mono=("ui-monospace", "monospace"))


def head() -> str:
    """Our stylesheet and script, as written: Gradio would scope `css` under its own container."""
    css = (api.STATIC / "chat.css").read_text(encoding="utf-8")
    script = (api.STATIC / "chat.js").read_text(encoding="utf-8")
    return f"<style>{css}</style><script>{script}</script>"


def lifespan(chat: gr.Blocks, settings: Settings, events: EventRecorder):
    """Idle sessions swept, and the event writer running, while the server runs. The writer starts with a
    check of the store, in a worker thread: a store that does not answer must not stall the event loop."""
    sweeping = sessions.expiring_sessions(chat, settings.session_idle_seconds)

    @asynccontextmanager
    async def running(app: object) -> AsyncIterator[None]:
        await asyncio.to_thread(events.start)
        try:
            async with sweeping(app):
                yield
        finally:
            await asyncio.to_thread(events.stop)

    return running


def create_app(bot: Assistant) -> FastAPI:
    """The whole web app for one loaded assistant; nothing is built at import time."""
    settings = bot.settings
    sources = origins.embed_sources(settings)
    events = EventRecorder(EventStore.from_settings(settings), settings)
    chat = build_chat(bot, events)
    sessions.limit_sessions(chat, settings.max_sessions)
    # FastAPIOffline serves /docs from a bundled Swagger UI; FastAPI's default page loads it from a CDN.
    app = FastAPIOffline(title=f"{settings.clinic_name} API", redoc_url=None,
                         description=bot.wording("Answers lower-back exercise questions from one article, "
                                                 "with red-flag triage first."),
                         lifespan=lifespan(chat, settings, events), telemetry=TELEMETRY_OFF)
    app.add_exception_handler(RequestValidationError, api.validation_error)
    app.add_middleware(Front, settings=settings, chat=chat, origin_regex=origins.origin_regex(sources),
                       frame_ancestors=origins.frame_ancestors(sources))
    app.include_router(api.router(bot, events))
    app.include_router(insights.router(settings, events))
    # show_error=False: an unexpected exception's text (file paths, settings) stays in the server log;
    # the page shows only the messages we raise as gr.Error.
    mounted = gr.mount_gradio_app(app, chat, path="/", footer_links=[], run_history=False,
                                  enable_monitoring=False, ssr_mode=False, pwa=False, show_error=False,
                                  theme=theme(), head=head())
    chat.config["version"] = REPORTED_GRADIO_VERSION
    without_gradio_cors(mounted)
    return mounted


def without_gradio_cors(app: FastAPI) -> None:
    """Takes Gradio's own CORS layer out of its mounted app, so `Front`'s allow-list is the only CORS policy.

    Gradio adds CORS headers of its own unless the parent app lists Starlette's CORSMiddleware, and then its
    layer only passes requests on; the policy now runs inside `Front`, so the layer goes instead. A Gradio
    that no longer has it fails here rather than serve a second policy."""
    apps = [route.app for route in app.routes if isinstance(route, Mount) and isinstance(route.app, Starlette)]
    layers = [m for mounted in apps for m in mounted.user_middleware if m.cls is CustomCORSMiddleware]
    if not layers:
        raise RuntimeError("Gradio's CORS middleware was not found in the mounted app; see without_gradio_cors.")
    for mounted in apps:
        mounted.user_middleware = [m for m in mounted.user_middleware if m.cls is not CustomCORSMiddleware]
