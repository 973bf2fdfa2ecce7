"""Assemble the one server: origin policy, REST routes, offline API docs, the Gradio chat at `/`."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.cors import CORSMiddleware

from assistant import Assistant
from assistant.web import api, origins
from assistant.web.chat import build_chat
from assistant.web.feedback import FeedbackStore


def theme() -> gr.themes.Base:
    # The system's own fonts: Gradio's bundled SemiBold face lacks glyphs, so bold capitals came out uneven.
    return gr.themes.Default(font=("ui-sans-serif", "system-ui", "sans-serif"),
                             font_mono=("ui-monospace", "monospace"))


def head() -> str:
    """Our stylesheet and script, as written: Gradio would scope `css` under its own container."""
    css = (api.STATIC / "chat.css").read_text(encoding="utf-8")
    script = (api.STATIC / "chat.js").read_text(encoding="utf-8")
    return f"<style>{css}</style><script>{script}</script>"


def create_app(bot: Assistant) -> FastAPI:
    """The whole web app for one loaded assistant; nothing is built at import time."""
    settings = bot.settings
    sources = origins.embed_sources(settings)
    # FastAPIOffline serves /docs from a bundled Swagger UI; FastAPI's default page loads it from a CDN.
    app = FastAPIOffline(title=f"{settings.clinic_name} API", redoc_url=None,
                         description="Answers lower-back exercise questions from one article, "
                                     "with red-flag triage first.")
    # With this middleware in place Gradio adds no CORS headers of its own, so this list is the only policy.
    app.add_middleware(CORSMiddleware, allow_origin_regex=origins.origin_regex(sources),
                       allow_methods=["GET", "POST"], allow_headers=["content-type", "x-gradio-user"])
    app.add_middleware(origins.FrameAncestors, policy=origins.frame_ancestors(sources))
    app.include_router(api.router(bot))
    chat = build_chat(bot, FeedbackStore(settings.feedback_db, keep_questions=settings.feedback_questions))
    return gr.mount_gradio_app(app, chat, path="/", footer_links=[], run_history=False,
                               enable_monitoring=False, ssr_mode=False, pwa=False,
                               theme=theme(), head=head())
