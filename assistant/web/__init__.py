"""The web layer: one FastAPI server with the Gradio chat, the REST API and the clinic's widget."""

from __future__ import annotations

from assistant.web.server import create_app

__all__ = ["create_app"]
