"""Who may embed the chat and call the API: the CSP frame-ancestors directive and the CORS allow-list."""

from __future__ import annotations

import re

from assistant.errors import AssistantError
from assistant.settings import Settings

# With no origins configured, only the app itself and pages on this machine may embed it.
LOCAL_SOURCES = ("http://localhost:*", "http://127.0.0.1:*", "https://localhost:*", "https://127.0.0.1:*")
# An origin as CSP and browsers write it: scheme, host (a leading "*." allows subdomains), optional port.
SOURCE = re.compile(r"https?://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?", re.IGNORECASE)


def embed_sources(settings: Settings) -> tuple[str, ...]:
    """The configured origins, checked, because each one is written into a security header."""
    for origin in settings.allowed_origins:
        if not SOURCE.fullmatch(origin):
            raise AssistantError(f"allowed_origins: {origin!r} is not an origin like https://clinic.example "
                                 "(scheme and host, optional port, no path).")
    return settings.allowed_origins or LOCAL_SOURCES


def frame_ancestors(sources: tuple[str, ...]) -> str:
    return "frame-ancestors 'self' " + " ".join(sources)


def origin_regex(sources: tuple[str, ...]) -> str:
    """One regular expression for the CORS policy (`front.Front`) that accepts exactly the origins CSP accepts."""
    patterns = []
    for source in sources:
        pattern = re.escape(source.lower())
        pattern = pattern.replace(r"\*\.", r"[a-z0-9-]+(\.[a-z0-9-]+)*\.").replace(r":\*", r"(:\d+)?")
        patterns.append(pattern)
    return "|".join(patterns)

