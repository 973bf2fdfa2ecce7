"""/insights: the clinic's charts and tables, behind `admin_token`, as one server-rendered page with no script.

Signing in: a form posts the token once and gets an HttpOnly, SameSite=Strict cookie (Secure over https)
holding an expiry signed with a key derived from the token, so every replica with the same token accepts
it and changing the token signs everyone out. Scripts send `Authorization: Bearer <token>` instead. The
token is compared in constant time, never put in a URL or a log; anything else is a 401 that says no more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import io
import time
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from assistant import Settings
from assistant.insights import charts, report
from assistant.web.events import EventRecorder

STYLE = (Path(__file__).parent / "static" / "insights.css").read_text(encoding="utf-8")
COOKIE = "insights"
# A signed-in browser stays signed in for a working day.
COOKIE_SECONDS = 8 * 3600
# Private numbers: never kept by a browser cache or a proxy.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
TOKEN_FIELD_CHARS = 1024


class Keys:
    """The admin token, and what is derived from it; compares without leaking where a guess differs."""

    def __init__(self, token: str) -> None:
        self._token = hashlib.sha256(token.encode()).digest()
        self._cookie_key = hashlib.sha256(b"insights-cookie\0" + token.encode()).digest()

    def is_token(self, given: str) -> bool:
        # Hashing first makes the comparison's time independent of the lengths as well as the contents.
        return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), self._token)

    def cookie(self, now: float) -> str:
        expires = str(int(now) + COOKIE_SECONDS)
        return f"{expires}.{self._sign(expires)}"

    def is_cookie(self, value: str, now: float) -> bool:
        expires, _, signature = value.partition(".")
        return (expires.isdigit() and hmac.compare_digest(signature, self._sign(expires))
                and int(expires) > now)

    def _sign(self, expires: str) -> str:
        digest = hmac.new(self._cookie_key, expires.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def router(settings: Settings, events: EventRecorder) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    keys = Keys(settings.admin_token) if settings.admin_token else None

    def signed_in(request: Request) -> bool:
        if keys is None:
            return False
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and given:
            return keys.is_token(given.strip())
        return keys.is_cookie(request.cookies.get(COOKIE, ""), time.time())

    def off() -> Response:
        return PlainTextResponse("Not Found", status_code=404)

    @routes.get("/insights")
    def page(request: Request, since: str = "", until: str = "") -> Response:
        if keys is None:
            return off()
        if not signed_in(request):
            return _html(_sign_in_page(settings), 401)
        period = _period(since, until)
        if events.store is None:
            return _html(_layout(settings, "<p>Nothing is recorded: <code>record_events</code> is off.</p>"))
        found = report.tables(events.store, period, settings.feedback_questions)
        return _html(_layout(settings, _report(found, period, settings)))

    @routes.get("/insights/export/{name}.csv")
    def export(request: Request, name: str, since: str = "", until: str = "") -> Response:
        if keys is None:
            return off()
        if not signed_in(request):
            return PlainTextResponse("Unauthorized", status_code=401, headers=PRIVATE)
        if events.store is None:
            return off()
        period = _period(since, until)
        found = report.tables(events.store, period, settings.feedback_questions)
        out = io.StringIO()
        if name == "all":
            report.write_all_csv(found, out)
        else:
            table = next((t for t in found if t.name == name), None)
            if table is None:
                return off()
            report.write_csv(table, out)
        filename = f"insights-{name}-{period.since}-{period.until}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'})

    @routes.post("/insights/login")
    async def login(request: Request) -> Response:
        if keys is None:
            return off()
        form = await request.form(max_files=0, max_fields=4, max_part_size=TOKEN_FIELD_CHARS)
        given = form.get("token")
        if not isinstance(given, str) or not keys.is_token(given):
            return _html(_sign_in_page(settings), 401)
        response = RedirectResponse("/insights", status_code=303, headers=PRIVATE)
        response.set_cookie(COOKIE, keys.cookie(time.time()), max_age=COOKIE_SECONDS, path="/insights",
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    @routes.post("/insights/logout")
    def logout() -> Response:
        if keys is None:
            return off()
        response = RedirectResponse("/insights", status_code=303, headers=PRIVATE)
        response.delete_cookie(COOKIE, path="/insights", httponly=True, samesite="strict")
        return response

    return routes


def _period(since: str, until: str) -> report.Period:
    """The range asked for, or the last 30 days; a malformed or reversed range falls back the same way."""
    today = datetime.now(UTC).date()
    try:
        end = date.fromisoformat(until) if until else today
        start = date.fromisoformat(since) if since else report.Period.ending(end).since
    except ValueError:
        return report.Period.ending(today)
    return report.Period(start, end) if start <= end else report.Period.ending(today)


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=PRIVATE)


def _layout(settings: Settings, main: str) -> str:
    title = f"Insights – {html.escape(settings.clinic_name)}"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><main><h1>{title}</h1>{main}</main></body></html>")


def _sign_in_page(settings: Settings) -> str:
    return _layout(settings, (
        '<form class="sign-in" method="post" action="/insights/login">'
        '<p>Sign in with the clinic\'s insights key (the <code>admin_token</code> setting).</p>'
        '<label for="token">Insights key</label>'
        f'<input id="token" name="token" type="password" autocomplete="current-password" required '
        f'maxlength="{TOKEN_FIELD_CHARS}">'
        '<button type="submit">Sign in</button></form>'))


def _report(found: list[report.Table], period: report.Period, settings: Settings) -> str:
    query = f"since={period.since}&amp;until={period.until}"
    total = sum(int(row[-1]) for row in found[0].rows)
    kept = ("Question text is kept (<code>feedback_questions</code> is on): the questions are listed below."
            if settings.feedback_questions else
            "Question text is not kept (<code>feedback_questions</code> is off), so only counts are shown.")
    parts = [
        '<form class="period" method="get" action="/insights">'
        f'<label for="since">From</label><input id="since" name="since" type="date" value="{period.since}">'
        f'<label for="until">To</label><input id="until" name="until" type="date" value="{period.until}">'
        '<button type="submit">Show</button></form>',
        f'<p class="summary">{total:,} replies from {period.since} to {period.until}. {kept} Records are kept '
        f'for {settings.retention_days} days. <a href="/insights/export/all.csv?{query}">Download every table '
        '(CSV)</a></p>',
        '<nav aria-label="Tables"><ul>' + "".join(f'<li><a href="#{t.name}">{html.escape(t.title)}</a></li>'
                                                 for t in found) + "</ul></nav>",
    ]
    parts += [_section(table, period, query) for table in found]
    parts.append('<form method="post" action="/insights/logout"><button type="submit">Sign out</button></form>')
    return "".join(parts)


def _section(table: report.Table, period: report.Period, query: str) -> str:
    heading = f"{table.name}-heading"
    drawn = charts.svg(table, period)
    picture = ""
    if drawn is not None:
        data = base64.b64encode(drawn.encode()).decode()
        picture = (f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{html.escape(charts.describe(table))}">'
                   f"<figcaption>{html.escape(table.explains)}</figcaption></figure>")
    else:
        picture = f'<p class="explains">{html.escape(table.explains)}</p>'
    if table.rows:
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in table.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(report.cell(v))}</td>" for v in row) + "</tr>"
                       for row in table.rows)
        shown = (f'<div class="table-scroll" role="region" aria-labelledby="{heading}" tabindex="0">'
                 f'<table id="{table.name}-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')
    else:
        shown = '<p class="empty">Nothing recorded in this period.</p>'
    return (f'<section id="{table.name}" aria-labelledby="{heading}"><h2 id="{heading}">{html.escape(table.title)}'
            f"</h2>{picture}{shown}<p><a href=\"/insights/export/{table.name}.csv?{query}\">"
            f"Download “{html.escape(table.title)}” (CSV)</a></p></section>")
