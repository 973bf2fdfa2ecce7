"""The addresses and Gradio functions the server answers: the product's surfaces, and nothing else.

Gradio mounts some forty routes (uploads, file and URL fetching, deep links, monitoring, run history,
a second OpenAPI, ...) and exposes every function of the page by number. Each row below says which of
them the product needs and why; everything else is a 404 before Gradio sees it. `tests/attack`
enumerates Gradio's routes and functions and fails when one is neither listed here nor closed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import gradio as gr

from assistant.web.chat import saved_questions

Body = Literal["api", "chat", "form", "none"]


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    path: re.Pattern[str]
    why: str
    body: Body = "none"
    counts_as: tuple[str, ...] = ()

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.path.fullmatch(path) is not None


def route(methods: str, path: str, why: str, body: Body = "none", counts_as: tuple[str, ...] = ()) -> Route:
    # OPTIONS wherever a method is allowed: the front layer's CORS policy answers allowed origins' preflights.
    return Route(frozenset(methods.split()) | {"OPTIONS"}, re.compile(path), why, body, counts_as)


FILE = r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*"
ROUTES = (
    route("GET HEAD", r"/", "the chat page (a `deep_link` parameter is dropped: deep links are off)"),
    route("GET HEAD", rf"/assets/{FILE}", "the chat page's scripts and styles, from Gradio's build"),
    route("GET HEAD", r"/static/js/iframeResizer\.contentWindow\.min\.js", "loaded by the chat page"),
    route("GET HEAD", r"/favicon\.ico", "the chat page's icon"),
    route("GET HEAD", r"/theme\.css", "the chat page's theme"),
    route("GET", r"/config", "the page layout gradio_client reads before it calls /ask"),
    route("GET", r"/gradio_api/info", "the /ask endpoint's description, read by gradio_client"),
    route("GET", r"/gradio_api/heartbeat/[A-Za-z0-9_-]{1,64}", "keeps a chat or gradio_client session open"),
    route("POST", r"/gradio_api/queue/join", "queued page functions and /ask (checked by number below)",
          body="chat", counts_as=("page_calls",)),
    route("GET", r"/gradio_api/queue/data", "the stream of queued results for one session"),
    route("POST", r"/gradio_api/run/predict", "unqueued page functions: history updates, likes (checked below)",
          body="chat", counts_as=("page_calls",)),
    route("POST", r"/api/ask", "the REST API", body="api", counts_as=("api",)),
    route("GET", r"/healthz", "the load balancer's health check"),
    route("GET HEAD", r"/widget\.js", "the clinic's embed script"),
    # Any name reaches the route, which serves only the pictures the corpus names (the rest are 404s).
    route("GET", r"/corpus/.+", "the exercise pictures in answers"),
    route("GET", r"/docs", "the REST API's interactive documentation"),
    route("GET", r"/openapi\.json", "the REST API's schema, read by /docs"),
    route("GET", rf"/static-offline-docs/{FILE}", "Swagger UI's bundled scripts and styles for /docs"),
    # Off (404) unless `admin_token` is set; every call counts against `rate_limit_insights`.
    route("GET", r"/insights", "the clinic's insights page (web/insights.py)", counts_as=("insights",)),
    route("GET", r"/insights/export/[a-z_]{1,40}\.csv", "the insights tables as CSV", counts_as=("insights",)),
    route("POST", r"/insights/login", "signing in to the insights page (a form with the token)", body="form",
          counts_as=("insights",)),
    route("POST", r"/insights/logout", "signing out of the insights page", counts_as=("insights",)),
)

# Every Gradio function the chat page calls, by its unique name in Gradio (`api_name`), and the action
# that calls it (measured by driving Chromium through each action on Gradio 6.31). The numbers Gradio
# gives them change with the layout; the names change only with Gradio, and then the route test fails.
# Retry and Undo are not here: the page shows neither button (chat.py), so their functions stay closed.
PAGE_FUNCTIONS: Mapping[str, str] = {
    "_clear_and_save_textbox": "typing a question: empties the box",
    "_append_message_to_history": "typing a question: shows it in the conversation",
    "_submit_fn": "typing a question: the answer",
    "lambda": "typing a question: stores the conversation",
    "lambda_1": "typing a question: re-enables the box",
    "_save_conversation": "typing a question: the browser's copy of the conversation",
    "lambda_7": "typing a question: after the box is emptied",
    "lambda_9": "typing a question: after the answer",
    "ask": "gradio_client's /ask",
    "example_clicked": "an example button: shows it in the conversation",
    "lambda_2": "an example button: after it is shown",
    "_submit_fn_1": "an example button: the answer",
    "lambda_3": "an example button: stores the conversation",
    "lambda_11": "an example button: after the answer",
    "option_clicked": "a follow-up button: shows it in the conversation",
    "_submit_fn_3": "a follow-up button: the answer",
    "lambda_13": "a follow-up button: stores the conversation",
    "_save_conversation_3": "a follow-up button: the browser's copy of the conversation",
    "lambda_14": "New chat (Gradio's Clear): empties the conversation",
    "_delete_conversation": "New chat (Gradio's Clear): the browser's copy of the conversation",
    "on_like": "Like or Dislike on a reply",
    "on_reason": "the optional words after a Dislike, where a clinic keeps them (feedback_questions)",
    "replay": "a reloaded tab: its saved questions answered again",
    "lambda_15": "a reloaded tab: shows the answered conversation",
    "lambda_16": "a reloaded tab: stores the conversation",
}
# Which of them produce an answer (counted against `rate_limit_chat`) or a vote (`rate_limit_votes`).
ANSWERING = frozenset({"_submit_fn", "_submit_fn_1", "_submit_fn_3", "ask"})
VOTING = frozenset({"on_like", "on_reason"})
# A reloaded tab's questions are answered again in one call: it counts as one answer per question it
# carries (up to chat.MAX_REPLAYED_QUESTIONS), so reloading is no way round the chat rate.
REPLAYING = frozenset({"replay"})
# The page never sends a file or a component: a body naming one is refused before Gradio would fetch
# or copy it (a file's `path` may be a URL, which Gradio downloads).
FILE_KEYS = frozenset({"path", "url", "file", "component", "meta"})


def find_route(method: str, path: str) -> Route | None:
    return next((r for r in ROUTES if r.matches(method, path)), None)


@dataclass(frozen=True)
class Verdict:
    """What the gate does with one Gradio call: `status` 0 lets it through, counted as `counts_as`
    (as `answers` answers where that includes "chat")."""

    status: int
    reason: str = ""
    counts_as: tuple[str, ...] = ()
    answers: int = 1


class PageFunctions:
    """The page's functions by number, for one built chat: which may be called, and through which route."""

    def __init__(self, chat: gr.Blocks, max_question_chars: int) -> None:
        self.max_question_chars = max_question_chars
        self.queued: dict[int, str] = {}
        self.unqueued: dict[int, str] = {}
        for number, function in chat.fns.items():
            if function.fn is None or function.api_name not in PAGE_FUNCTIONS:
                continue
            (self.queued if function.queue else self.unqueued)[number] = function.api_name

    def verdict(self, path: str, call: Any) -> Verdict:
        """Checks one parsed JSON body sent to queue/join or run/predict."""
        allowed = self.queued if path.endswith("/queue/join") else self.unqueued
        number = call.get("fn_index") if isinstance(call, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or number not in allowed:
            return Verdict(404, "No such function.")
        if _names_a_file(call.get("data")) or _names_a_file(call.get("event_data")):
            return Verdict(400, "The chat accepts text only.")
        name = allowed[number]
        if name in REPLAYING:
            data = call.get("data")
            saved = data[0] if isinstance(data, list) and data else None
            # The same reading of the saved questions as the replay itself, so both agree on the count.
            answers = len(saved_questions(saved, self.max_question_chars))
            return Verdict(0, counts_as=("chat",) if answers else (), answers=answers)
        kinds = ("chat",) if name in ANSWERING else ("votes",) if name in VOTING else ()
        return Verdict(0, counts_as=kinds)


def _names_a_file(value: Any, depth: int = 0) -> bool:
    if depth > 32:
        return True
    if isinstance(value, dict):
        return bool(FILE_KEYS & value.keys()) or any(_names_a_file(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_names_a_file(v, depth + 1) for v in value)
    return False
