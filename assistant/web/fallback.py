"""What the chat and the widget tell a patient when the assistant cannot answer, with the clinic's contacts.

One source for the wording: the chat page renders it as HTML, the widget script receives it as data.
"""

from __future__ import annotations

import html
from typing import Any

from assistant.compose import tel_number
from assistant.settings import Settings

PROBLEMS = {
    "down": "The exercise assistant is not working right now. Please try again later.",
    "blocked": "The exercise assistant cannot open on this page.",
    "lost": "The connection to the exercise assistant was lost. Check your internet connection, then try again.",
}


def contact(settings: Settings) -> list[dict[str, str]]:
    """The sentence that says how to reach the clinic, as text and link pieces (phone and booking link)."""
    phone = ({"text": settings.clinic_phone, "href": f"tel:{tel_number(settings.clinic_phone)}"}
             if settings.clinic_phone else None)
    book = {"text": "book an appointment", "href": settings.booking_link} if settings.booking_link else None
    if phone and book:
        return [{"text": "To talk to someone, call "}, phone, {"text": " or "}, book, {"text": "."}]
    if phone:
        return [{"text": "To talk to someone, call "}, phone, {"text": "."}]
    if book:
        return [{"text": "To talk to someone, "}, book, {"text": "."}]
    return [{"text": "To talk to someone, please contact your clinic."}]


def emergency(settings: Settings) -> str:
    return f"If it is an emergency, {settings.emergency_action}."


def widget_config(settings: Settings) -> dict[str, Any]:
    """What the embed script needs to help without the server: it is written into the script itself."""
    return {"problems": PROBLEMS, "contact": contact(settings), "emergency": emergency(settings)}


def as_html(pieces: list[dict[str, str]]) -> str:
    """The contact sentence as escaped HTML; the clinic's site opens in a new tab, not inside the chat."""
    return "".join(link(p["text"], p["href"]) if "href" in p else html.escape(p["text"]) for p in pieces)


def link(text: str, href: str) -> str:
    new_tab = ' target="_blank" rel="noopener"' if href.startswith(("https:", "http:")) else ""
    return f'<a href="{html.escape(href, quote=True)}"{new_tab}>{html.escape(text)}</a>'

