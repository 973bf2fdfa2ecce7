"""Security headers on every response, Gradio's included, and a fresh script nonce for each HTML page."""

from __future__ import annotations

import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Scope

# Gradio's page keeps its config in inline scripts and injects our `head` script at run time, so
# scripts run by nonce: 'strict-dynamic' extends trust to the scripts a nonced script adds, and
# nothing else (no 'unsafe-inline', no 'unsafe-eval'). Styles allow 'unsafe-inline' because Svelte
# writes style attributes and Gradio injects theme <style> elements at run time; a style cannot run
# code, and no user text reaches the page as HTML.
PAGE_POLICY = ("default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic'; "
               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; {frame_ancestors}")
# Everything that is not a page (JSON, scripts, styles) may load nothing at all if opened as a document.
RESOURCE_POLICY = "default-src 'none'; object-src 'none'; base-uri 'none'; {frame_ancestors}"
# Features a chat page never needs; denying them also denies them to anything framed inside it.
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), serial=(), "
                      "interest-cohort=(), browsing-topics=()")
FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
# The HTML pages the server has: the chat and the API docs.
PAGES = ("/", "/docs")
SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)
# Gradio's template sets `<base href="./">`, a no-op for a page served at `/` that base-uri 'none' would
# block with a console error; it goes, so 'none' can stay and no injected <base> can redirect URLs.
SAME_DIRECTORY_BASE = re.compile(rb'<base href="\./"\s*/?>')


def page_policy(nonce: str, frame_ancestors: str) -> str:
    return PAGE_POLICY.format(nonce=nonce, frame_ancestors=frame_ancestors)


def resource_policy(frame_ancestors: str) -> str:
    return RESOURCE_POLICY.format(frame_ancestors=frame_ancestors)


class SecurityHeaders:
    """The fixed headers and a CSP on every HTTP response, no `server` banner; an HTML page is buffered (they
    are tens of kilobytes) so each of its scripts gets this response's nonce. Applied by the front layer
    (`assistant/web/front.py`) in its one `send` wrapper, not as a layer of its own.

    HTML is requested uncompressed from the app below, because a nonce cannot be written into a
    compressed body; everything else keeps Gradio's compression.
    """

    def __init__(self, frame_ancestors: str) -> None:
        self.frame_ancestors = frame_ancestors

    def request(self, scope: Scope) -> Scope:
        """The request as the app below sees it: a page is asked for uncompressed."""
        if scope["path"] not in PAGES:
            return scope
        return {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}

    def secure(self, start: Message) -> bool:
        """Writes the headers into a response's start; True when it starts an HTML page, whose CSP (with its
        nonce) waits for the whole body (`page`)."""
        headers = MutableHeaders(scope=start)
        for name, value in FIXED.items():
            headers[name] = value
        del headers["server"]
        if headers.get("content-type", "").startswith("text/html"):
            return True
        headers["Content-Security-Policy"] = resource_policy(self.frame_ancestors)
        return False

    def page(self, start: Message, page: bytes, head_only: bool) -> tuple[Message, Message]:
        """The start and the one body message of an HTML page, its scripts nonced."""
        nonce = secrets.token_urlsafe(18)
        headers = MutableHeaders(scope=start)
        # A compressed page (only if a page outside PAGES is HTML) cannot be rewritten: its scripts stay
        # blocked, which breaks it safely.
        if "content-encoding" not in headers and not head_only:
            page = SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', SAME_DIRECTORY_BASE.sub(b"", page))
            headers["Content-Length"] = str(len(page))
        headers["Content-Security-Policy"] = page_policy(nonce, self.frame_ancestors)
        return start, {"type": "http.response.body", "body": page}
