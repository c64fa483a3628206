"""GET on an address that only a form posts to: sent on to the page the form is on.

A page drawn in answer to a form (a refused password change, say) stays at the form's
address. The language switch, a reload of that address or Enter in the address bar then
asks for it with GET, which would be answered 405 ("That is not possible here"). Instead the
browser is sent to the page the form belongs to, which the person can use at once.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

routes = web.RouteTableDef()

# The form's address -> the page it is on ({…}: the same part of the address).
FORM_PAGES = {
    "/account/password": "/account",
    "/account/language": "/account",
    "/account/colleagues/{invitation_id:\\d{1,18}}/withdraw": "/account/colleagues",
    "/c/{token}/language": "/c/{token}",
    "/events/{event_id}/publish": "/events/{event_id}",
    "/events/{event_id}/invite-link": "/events/{event_id}",
    "/events/{event_id}/candidates/{candidate_id}/resend": "/events/{event_id}",
    "/events/{event_id}/candidates/{candidate_id}/reissue": "/events/{event_id}",
    "/events/{event_id}/candidates/{candidate_id}/unlock": "/events/{event_id}",
    "/events/{event_id}/interviewers/{interviewer_id}/reissue": "/events/{event_id}",
    "/events/{event_id}/interviewers/{interviewer_id}/unlock": "/events/{event_id}",
    "/ops/janus": "/ops",
    "/ops/janus/weight": "/ops",
    # Not a log-out (a GET must change nothing): the landing page, logged in or not.
    "/logout": "/",
}


def _page_of(target: str):
    async def send_on(request: web.Request) -> web.Response:
        # Each part is put back as one segment of a path on this site, whatever it holds.
        parts = {name: quote(value, safe="") for name, value in request.match_info.items()}
        raise web.HTTPSeeOther(target.format(**parts))

    send_on.page_of_a_form = True  # type: ignore[attr-defined]  # not a page: auth/middleware.py
    return send_on


for _address, _page in FORM_PAGES.items():
    routes.get(_address, allow_head=True)(_page_of(_page))
