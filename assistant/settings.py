"""One settings object for a deployment: bundled defaults, then a TOML file, then environment variables."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "ASSISTANT_"

DEFAULT_FOOTER = (
    "This is general exercise information from one article, not medical advice. "
    "Talk to a doctor or physiotherapist before you start, and stop if anything hurts."
)
DEFAULT_COMPACT_FOOTER = "General information, not medical advice. Stop if anything hurts."
# What a clinic's phone number may contain: digits, spaces and the usual separators, nothing a link could abuse.
PHONE = re.compile(r"\+?[0-9][0-9 ().-]{2,24}")
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
# How a switch may be written in the TOML file or the environment; anything else is a mistake, not "off".
YES = frozenset({"1", "true", "yes", "on"})
NO = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Settings:
    """Everything a clinic may change. Paths default to the bundled corpus and index."""

    clinic_name: str = "Back Exercise Helper"
    footer: str = DEFAULT_FOOTER
    emergency_action: str = "call your local emergency number or go to the nearest emergency department"
    urgent_action: str = "get an urgent appointment with a doctor today, or call your non-emergency health helpline"
    # The clinic's emergency number ("999", "911", "112"...): shown as a tap-to-call link on emergency replies.
    # Empty by default, so the wording stays country-neutral and no number is assumed.
    emergency_number: str = ""
    booking_link: str = ""
    allowed_origins: tuple[str, ...] = ()
    log_questions: bool = False
    # One line per request on standard output: method, path and status (never the query string or the address).
    access_log: bool = True
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    model_path: Path | None = None
    # Cores one question's encoding may use (ONNX Runtime's threads, which sleep rather than spin between
    # steps). On this 2-core machine 2 cut a question's encode from 3.4 to 2.7 ms, with answers per second
    # under load as with 1 (docs/deploy.md, "Speed").
    encoder_threads: int = 2
    # The event store (docs/insights.md): replies and votes, in this SQLite file unless `database_url`
    # names a PostgreSQL database that several replicas share.
    feedback_db: Path = PROJECT_ROOT / "var" / "feedback.sqlite3"
    # Secret-bearing settings stay out of reprs, so a logged Settings never shows them.
    database_url: str = field(default="", repr=False)
    max_question_chars: int = 4_000
    max_history_turns: int = 20
    # Question text and the words of a dislike's reason are kept in the event store only when this is on.
    feedback_questions: bool = False
    # Off: nothing is recorded about replies (no insights, likes and dislikes are not saved).
    record_events: bool = True
    # Replies, votes and any kept question text older than this many days are deleted.
    retention_days: int = 90
    # The clinic's key to /insights; the page is off while it is empty.
    admin_token: str = field(default="", repr=False)
    # How the chat and widget point a patient at the clinic: the one-line footer shown under every reply
    # after the first (the first shows `footer` in full), and the phone number offered next to
    # `booking_link` where seeing someone is the advice and when the assistant cannot be reached.
    compact_footer: str = DEFAULT_COMPACT_FOOTER
    clinic_phone: str = ""
    # --- Public-domain limits (docs/deploy.md has the table with the reasons). A clinic's integration
    # that calls from one address may need higher rates; a flood from one address is what they stop.
    # Rates use the `limits` notation ("120/minute", several joined by ";"), counted per client address.
    rate_limit_api: str = "120/minute"
    rate_limit_chat: str = "120/minute"
    rate_limit_page_calls: str = "900/minute;150/10 seconds"
    rate_limit_votes: str = "60/minute"
    rate_limit_new_sessions: str = "30/minute;10/10 seconds"
    rate_limit_insights: str = "120/minute;20/10 seconds"
    max_vote_reason_chars: int = 200
    max_queued_per_client: int = 8
    max_api_body_bytes: int = 512 * 1024
    max_chat_body_bytes: int = 1024 * 1024
    max_other_body_bytes: int = 4 * 1024
    max_history_messages: int = 200
    max_message_chars: int = 20_000
    max_sessions: int = 2_000
    session_idle_seconds: int = 1_800
    max_votes_per_session: int = 100
    limit_concurrency: int = 400
    keep_alive_seconds: int = 5
    header_timeout_seconds: int = 10
    body_timeout_seconds: int = 20
    trusted_proxy_header: str = ""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise AssistantError("Settings not usable:\n" + "\n".join(f"- {p}" for p in problems))

    @classmethod
    def load(cls, config: Path | str | None = None, environ: dict[str, str] | None = None) -> Settings:
        """Defaults, overridden by the TOML file (`config` or $ASSISTANT_CONFIG), then by $ASSISTANT_<FIELD>."""
        env = os.environ if environ is None else environ
        settings = cls()
        named = config or env.get(f"{ENV_PREFIX}CONFIG")
        path = Path(named) if named else None
        if path is not None:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise AssistantError(f"{path}: cannot read the settings file ({exc}).") from exc
            settings = settings.updated(data, source=str(path))
        overrides = {f.name: env[ENV_PREFIX + f.name.upper()] for f in fields(cls)
                     if ENV_PREFIX + f.name.upper() in env}
        return settings.updated(overrides, source="environment")

    def updated(self, values: dict[str, Any], source: str = "code") -> Settings:
        """A copy with `values` applied, each converted to its field's type; unknown names are an error."""
        known = {f.name: f for f in fields(self)}
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                raise AssistantError(f"{source}: unknown setting {name!r}; known settings: "
                                     f"{', '.join(sorted(known))}.")
            converted[name] = _convert(name, getattr(self, name), value, source)
        return replace(self, **converted)


def _problems(settings: Settings) -> Iterator[str]:
    """Every value a clinic could mistype, named by its field: one run of the app shows them all."""
    for item in fields(settings):
        value = getattr(settings, item.name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            yield f"{item.name}: {value} is not a positive whole number."
        if item.name.startswith("rate_limit_") and not _is_rate(value):
            yield f"{item.name}: {value!r} is not a rate like 120/minute (several joined by ';')."
    # Every reply ends with the footer: a clinic may reword it, not remove it.
    for name in ("footer", "compact_footer", "emergency_action", "urgent_action"):
        if not getattr(settings, name).strip():
            yield f"{name}: may be reworded but not left empty."
    # Both end up as links on the clinic's pages, so a value that would not be a plain link is refused.
    if settings.booking_link and not re.fullmatch(r"https?://[^\s<>]+", settings.booking_link):
        yield f"booking_link: {settings.booking_link!r} is not an http(s) address like https://clinic.example/book."
    for name in ("clinic_phone", "emergency_number"):
        number = getattr(settings, name)
        if number and not PHONE.fullmatch(number):
            yield f"{name}: {number!r} is not a phone number like 01234 567890 (digits, spaces, + ( ) . - only)."
    if settings.database_url and not settings.database_url.startswith(("postgresql", "sqlite")):
        yield "database_url: not a PostgreSQL or SQLite address like postgresql+psycopg://user:password@db/assistant."
    if settings.trusted_proxy_header and not HEADER_NAME.fullmatch(settings.trusted_proxy_header):
        yield f"trusted_proxy_header: {settings.trusted_proxy_header!r} is not a header name like X-Forwarded-For."


def _is_rate(value: str) -> bool:
    from limits import parse_many

    try:
        return bool(parse_many(value))
    except ValueError:
        return False


def _convert(name: str, current: Any, value: Any, source: str) -> Any:
    try:
        if name == "model_path" or isinstance(current, Path):
            return Path(value).expanduser() if value not in (None, "") else None
        if isinstance(current, bool):
            if isinstance(value, bool):
                return value
            said = str(value).strip().lower()
            if said not in YES | NO:
                raise ValueError("say true or false")
            return said in YES
        if isinstance(current, int):
            return int(value)
        if isinstance(current, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(v).strip().rstrip("/") for v in items if str(v).strip())
        return str(value)
    except (TypeError, ValueError) as exc:
        raise AssistantError(f"{source}: setting {name!r} has an unusable value {value!r} ({exc}).") from exc
