"""Ending an event being held before its set end (README, "Ending an event early"): a page
that says what it does, and the form's post. Only the owning organization may."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from app.auth import require_user
from app.events import queries
from app.events.rules import as_local, may_end_now
from app.events.workflow import end_event_now
from app.keys import DB_POOL, SETTINGS
from app.views.event_changes import editable_event
from app.views.pages import render

routes = web.RouteTableDef()


@routes.get("/events/{event_id}/end", name="event_end_confirm")
async def end_confirm(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        event = await editable_event(connection, request, user)
        if not may_end_now(event, dt.datetime.now(dt.timezone.utc)):
            # Not begun, or over already: the event's page says which.
            raise web.HTTPSeeOther(f"/events/{event['id']}?notice={_refusal(event)}")
        counts = await queries.day_counts(connection, event["id"])
    set_end = as_local(event["starts_at"] + dt.timedelta(minutes=event["duration_minutes"]))
    context = {"event": event, "set_end": set_end.strftime("%H:%M"), **counts}
    return render(request, "events/end.html", context)


@routes.post("/events/{event_id}/end", name="event_end")
async def end(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await editable_event(connection, request, user, for_update=True)
            ended = await end_event_now(connection, event["id"], request.app[SETTINGS].live)
    # Nobody in an interview: finished at once, with no interviews left to go on.
    notice = {"ending": "ended", "finished": "finished_now"}.get(ended or "", "")
    raise web.HTTPSeeOther(f"/events/{event['id']}?notice={notice or _refusal(event)}")


def _refusal(event) -> str:
    """Why the event is not ended now: it was already (the Back button to its confirmation,
    a second press in an old tab: not a refusal), or it has not begun or is over."""
    return "already_ended" if event["ended_early_at"] is not None else "end_refused"
