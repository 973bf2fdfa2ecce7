"""A user's own words show exactly as typed: no Markdown, HTML, images or LaTeX from them in the chat.

Gradio renders every message as Markdown with HTML, so `![x](http://host/t.png)` or `<img src=...>`
typed by a user would load a remote image in their own bubble. The chatbot below escapes user
messages on the way to the browser and unescapes them on the way back, so the browser only ever
renders them as text while the assistant always reads what was typed. Replies stay Markdown.
"""

from __future__ import annotations

import re
from typing import Any

import gradio as gr

# CommonMark lets a backslash escape any ASCII punctuation, which then shows as itself.
PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def escape(text: str) -> str:
    return PUNCTUATION.sub(r"\\\1", text)


def unescape(text: str) -> str:
    """The exact inverse of `escape` on what it produced."""
    return ESCAPED.sub(r"\1", text)


def _map_user_text(messages: Any, change: Any) -> None:
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else getattr(message, "role", None)
        if role != "user":
            continue
        parts = message["content"] if isinstance(message, dict) else message.content
        for part in parts:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"] = change(part["text"])
            elif isinstance(getattr(part, "text", None), str):
                part.text = change(part.text)


def show_user_text_literally(chatbot: gr.Chatbot) -> gr.Chatbot:
    """Make `chatbot` escape user messages for the browser and unescape them for our functions.
    (Its owner also turns LaTeX off, so `$$...$$` quoted back in a safety reply stays text too.)

    The instance is wrapped rather than subclassed: Gradio writes a `.pyi` stub beside the module of
    every Component subclass when it is defined, which a read-only install would refuse.
    """
    preprocess, postprocess = chatbot.preprocess, chatbot.postprocess

    def preprocess_literal(payload: Any) -> Any:
        messages = preprocess(payload)
        _map_user_text(messages, unescape)
        return messages

    def postprocess_literal(value: Any) -> Any:
        data = postprocess(value)
        _map_user_text(data.root, escape)
        return data

    chatbot.preprocess = preprocess_literal  # type: ignore[method-assign]
    chatbot.postprocess = postprocess_literal  # type: ignore[method-assign]
    return chatbot
