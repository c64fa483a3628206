"""GET /texts/{lang}.json: the whole compiled catalog of a language, msgid → translation.

The event-day pages switch language without reloading (web/static/js/live/texts.js): they
fetch this once per language and put every text on the page into it, so a call stays up.
English is the source language: its catalog is (nearly) empty and the msgid is the text.
"""

from __future__ import annotations

import hashlib
import json
import weakref

from aiohttp import web

from app.i18n import LANGUAGES
from app.keys import RENDERER
from app.script_texts import catalog_texts

routes = web.RouteTableDef()

# One body per loaded catalog (a Renderer's Translations object), built on first use.
_BODIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def catalog_json(translations) -> tuple[bytes, str]:
    """(body, etag) of a catalog, the header left out (app/script_texts.py catalog_texts)."""
    cached = _BODIES.get(translations)
    if cached is None:
        texts = catalog_texts(translations)
        body = json.dumps(texts, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        cached = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        _BODIES[translations] = cached
    return cached


@routes.get("/texts/{code}.json", name="texts")
async def texts(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if code not in LANGUAGES:
        raise web.HTTPNotFound()
    body, etag = catalog_json(request.app[RENDERER].translations[code])
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding"}
    if etag in (t.strip() for t in request.headers.get("If-None-Match", "").split(",")):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type="application/json", charset="utf-8", headers=headers)
