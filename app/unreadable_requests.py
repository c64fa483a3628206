"""The answer to a request aiohttp cannot read at all: a request line or a header over its
limits (8190 bytes), or bytes that are not HTTP.

aiohttp answers such a request by itself, before any handler or middleware of ours, with a
plain English text that quotes the request line back (a personal link's token included) and
without the headers every other answer carries (app/headers.py). Here the same status comes
with a short page of our own in both languages (nothing of the request is known to choose
one: its headers were never read), quoting nothing, with the security headers. The log line
stays app/logs.py UnreadableRequestFilter's.
"""

from __future__ import annotations

from html import escape

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

from app.headers import CSP, SECURITY_HEADERS

TEXTS = (
    (
        "sv",
        "Förfrågan kunde inte tolkas",
        "Adressen eller något annat i förfrågan var för långt eller felaktigt. Öppna länken "
        "från ditt mejl eller startsidan igen.",
    ),
    (
        "en",
        "The request could not be understood",
        "The address or something else in the request was too long or malformed. Open the "
        "link from your mail or the start page again.",
    ),
)
# Nothing to load: no scripts, styles or pictures.
POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def page() -> str:
    sections = "\n".join(
        f'<section lang="{lang}"><h1>{escape(title)}</h1><p>{escape(text)}</p>'
        f'<p><a href="/">{"Till startsidan" if lang == "sv" else "To the start page"}</a></p></section>'
        for lang, title, text in TEXTS
    )
    return (
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(TEXTS[0][1])} · {escape(TEXTS[1][1])}</title></head>"
        f"<body>\n{sections}\n</body></html>\n"
    )


def answer(status: int) -> web.Response:
    response = web.Response(status=status, text=page(), content_type="text/html")
    response.headers.update(SECURITY_HEADERS)
    response.headers[CSP] = POLICY
    response.headers["Cache-Control"] = "no-store"
    response.force_close()
    return response


def install() -> None:
    """Once per process (again is harmless): RequestHandler.handle_error answers our page for
    a client's unreadable request, and as before for everything else."""
    if getattr(RequestHandler.handle_error, "ours", False):
        return
    original = RequestHandler.handle_error

    def handle_error(
        self: RequestHandler,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        response = original(self, request, status, exc, message)  # logs it, as before
        if isinstance(exc, HttpProcessingError) and 400 <= status < 500:
            return answer(status)
        return response

    handle_error.ours = True  # type: ignore[attr-defined]
    RequestHandler.handle_error = handle_error  # type: ignore[method-assign]
