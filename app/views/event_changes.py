"""Changing an event: edit, publish, copy, delete. Only the owning organization may."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from app.auth import require_user
from app.addresses import readable_domain
from app.candidates.queries import count_registered
from app.events import queries
from app.events.form import differing_fields, is_stale, parse_event_form
from app.events.held import (
    ATTRIBUTES_KEPT,
    QUESTIONS_KEPT,
    edit_conflicts,
    Kept,
    kept_in,
    time_kept,
)
from app.events.notify import INVITATIONS_REFUSED, TooManyInvitations
from app.events.rules import INVITATIONS_PER_DAY, as_local, has_begun, is_over
from app.events.workflow import delete_event, publish_event, update_event
from app.keys import DB_POOL, JANUS, MAILER, SETTINGS
from app.live.leaving import close_rooms
from app.views.edit_notice import saved_location
from app.views.events import event_id_of, split_form
from app.views.pages import render

routes = web.RouteTableDef()


async def editable_event(connection, request: web.Request, user, *, for_update: bool = False):
    event = await queries.get_for_user(
        connection, event_id_of(request), user.id, user.organization_id, for_update=for_update
    )
    if event is None or not event["editable"]:
        raise web.HTTPNotFound()
    return event


async def form_values(connection, event, *, with_date: bool = True) -> dict:
    # An event ended early: a copy is set to the start and length it was planned for.
    local = as_local(event["set_starts_at"])
    return {
        "title": event["title"],
        "job_description": event["job_description"],
        "date": local.date().isoformat() if with_date else "",
        "start_time": local.strftime("%H:%M"),
        "duration_minutes": str(event["planned_duration_minutes"] or event["duration_minutes"]),
        "interview_minutes": str(event["interview_minutes"]),
        "capacity": str(event["capacity"]),
        "language": event["language"],
        "questions": await queries.items(connection, "event_question", event["id"]),
        "attributes": await queries.items(connection, "event_attribute", event["id"]),
        "interviewers": [
            {"email": readable_domain(row["email"]), "name": row["name"]}
            for row in await queries.interviewers(connection, event["id"])
        ],
    }


def edit_page(
    request: web.Request,
    event,
    values: dict,
    version: int | str,
    errors: dict | None = None,
    *,
    status: int = 200,
    now: dict | None = None,
    kept: Kept | None = None,
) -> web.Response:
    """The edit form. `version`: the event's edit_version the form was made from, which its
    save names. `now`: a save from it was refused, the event having changed since; these are
    the event's values as they are now, and the fields that differ from them are listed.
    `kept`: what the interviews pinned down (app/events/held.py), shown read only."""
    kept = kept or Kept()
    values = kept.over(values)
    now = None if now is None else kept.over(now)
    # The date, start time, length and minutes per interview once they are kept
    # (app/events/held.py): shown read only, with why, and as they are, also over a refused
    # save's input (else a refused value would stand in a field that cannot be changed
    # back, and every save be refused).
    time_fixed = time_kept(event, dt.datetime.now(dt.timezone.utc))
    if time_fixed is not None:
        start = as_local(event["starts_at"])
        held = {
            "date": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"),
            "duration_minutes": str(event["duration_minutes"]),
            "interview_minutes": str(event["interview_minutes"]),
        }
        values = values | held
        now = None if now is None else now | held
    context = {
        "mode": "edit",
        "event_id": event["id"],
        "event": event,
        "values": values,
        "time_kept": time_fixed,
        # Over (its time up, ended early, finished): how many it can hold is no longer asked,
        # and one ended early says what its length, the minutes it ran, was planned to be.
        "over": is_over(event, dt.datetime.now(dt.timezone.utc)),
        "planned_minutes": event["planned_duration_minutes"] if event["ended_early_at"] else None,
    }
    context["kept_count"] = {name: kept.count(name) for name in ("questions", "attributes")}
    context["kept_interviewers"] = bool(kept.interviewers)
    context["kept_texts"] = {"question": QUESTIONS_KEPT, "attribute": ATTRIBUTES_KEPT}
    context |= {"version": version, "errors": errors or {}, "conflict": now is not None}
    if now is not None:
        context["differing"] = [(name, now[name]) for name in differing_fields(values, now)]
    return render(request, "events/form.html", context, status=status)


@routes.get("/events/{event_id}/edit", name="event_edit")
async def edit_form(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        event = await editable_event(connection, request, user)
        values = await form_values(connection, event)
        kept = await kept_in(connection, event["id"])
    return edit_page(request, event, values, event["edit_version"], kept=kept)


@routes.post("/events/{event_id}/edit", name="event_update")
async def edit(request: web.Request) -> web.Response:
    user = require_user(request)
    single, lists = await split_form(request)
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await editable_event(connection, request, user, for_update=True)
            now = dt.datetime.now(dt.timezone.utc)
            kept = await kept_in(connection, event["id"])
            sent_version = single.get("edit_version")
            # The form replaces every field, the questions, attributes and interviewers: one
            # made before another save would undo it (and un-invite whom it added). The row
            # read under the lock is the one a save before committed ("Read Committed
            # Isolation Level", PostgreSQL manual, on SELECT FOR UPDATE), so its version is
            # the latest. Refused whole: the user's input is shown again with what differs
            # from the event as it is now, and may be saved over it from there (the form
            # then carries the current version), so nobody's change is replaced unseen.
            if is_stale(sent_version, event["edit_version"]):
                values = parse_event_form(single, lists, now=now).values
                current = await form_values(connection, event)
                return edit_page(
                    request, event, values, event["edit_version"], status=409, now=current, kept=kept
                )
            # Counted after the lock: the count in the locking statement may predate it.
            registered = await count_registered(connection, event["id"])
            result = parse_event_form(
                single,
                lists,
                now=now,
                registered=registered,
                previous_start=event["starts_at"],
                # (An event ended early keeps the minutes it ran, whatever the form allows; one
                # whose time is kept keeps its length, and a longer interview sent against it
                # is refused at the minutes per interview by edit_conflicts, not at the
                # length that cannot change.)
                previous_duration=event["duration_minutes"]
                if event["ended_early_at"] or time_kept(event, now)
                else None,
                needs_interviewer="published" if event["state"] in ("published", "live") else None,
            )
            if result.event is not None:
                # What the event as held pins down (app/events/held.py): refused like any
                # other bad input, nothing saved.
                result.errors.update(await edit_conflicts(connection, event, result.event, now))
                if result.errors:
                    result.event = None
            if result.event is None:
                return edit_page(
                    request, event, result.values, event["edit_version"], result.errors, status=422, kept=kept
                )
            try:
                # (A savepoint: refused, what it wrote is undone and the form shown again.)
                async with connection.transaction():
                    mailed = await update_event(
                        connection,
                        request.app[MAILER],
                        request.app[SETTINGS].app.public_url,
                        user,
                        event,
                        result.event,
                        request.app[SETTINGS].live,
                    )
            except TooManyInvitations:
                errors = {"interviewers": (INVITATIONS_REFUSED, {"count": INVITATIONS_PER_DAY})}
                return edit_page(
                    request, event, result.values, event["edit_version"], errors, status=429, kept=kept
                )
    raise web.HTTPSeeOther(saved_location(event["id"], mailed))


@routes.post("/events/{event_id}/publish", name="event_publish")
async def publish(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await editable_event(connection, request, user, for_update=True)
            if event["starts_at"] <= dt.datetime.now(dt.timezone.utc):
                raise web.HTTPSeeOther(f"/events/{event['id']}?notice=past")
            if event["state"] == "draft":
                # Read after the lock, which an edit saving the interviewers holds too (the
                # count in the locking statement may predate a save it waited for). Nobody
                # could interview the candidates the invite link would take.
                if not await queries.interviewers(connection, event["id"]):
                    raise web.HTTPSeeOther(f"/events/{event['id']}?notice=no_interviewers")
                try:
                    async with connection.transaction():  # a savepoint, undone if refused
                        await publish_event(
                            connection,
                            request.app[MAILER],
                            request.app[SETTINGS].app.public_url,
                            user,
                            event["id"],
                            request.app[SETTINGS].live,
                        )
                except TooManyInvitations:
                    raise web.HTTPSeeOther(f"/events/{event['id']}?notice=invitations_limit") from None
    raise web.HTTPSeeOther(f"/events/{event['id']}?notice=published")


@routes.get("/events/{event_id}/copy", name="event_copy")
async def copy_form(request: web.Request) -> web.Response:
    """A new draft with the same content; the date is left empty so the user picks a new one."""
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        event = await editable_event(connection, request, user)
        values = await form_values(connection, event, with_date=False)
    return render(
        request,
        "events/form.html",
        {"mode": "copy", "event_id": None, "copied_from": event, "values": values, "errors": {}},
    )


@routes.get("/events/{event_id}/delete", name="event_delete_confirm")
async def delete_confirm(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        event = await editable_event(connection, request, user)
        interviewers = await queries.interviewers(connection, event["id"])
        # Those mailed (delete_event): not the candidates already interviewed.
        candidates = await queries.count_not_yet_interviewed(connection, event["id"])
        # Ended early, its last interviews may still go on: a deletion ends them at once.
        under_way = (await queries.day_counts(connection, event["id"]))["under_way"]
    now = dt.datetime.now(dt.timezone.utc)
    over = is_over(event, now)
    return render(
        request,
        "events/delete.html",
        {
            "event": event,
            # The same test delete_event makes: an event that is over mails nobody.
            "over": over,
            # Being held now: people are in the queue and in calls this very moment.
            # (From the opening of check-in: interviews may be held before the start.)
            "running": not over and (event["state"] == "live" or has_begun(event, now)),
            "candidates": candidates,
            "interviewers": sum(1 for person in interviewers if person["invited_at"]),
            "under_way": under_way,
        },
    )


@routes.post("/events/{event_id}/delete", name="event_delete")
async def delete(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await editable_event(connection, request, user, for_update=True)
            deleted = await delete_event(
                connection, request.app[MAILER], request.app[SETTINGS].app.public_url, user, event
            )
    await close_rooms(request.app[JANUS], deleted.rooms)
    # A draft was never published: nobody had been told of it, so nobody is mailed.
    notice = "deleted_draft" if event["state"] == "draft" else "deleted" if deleted.mailed else "deleted_over"
    raise web.HTTPSeeOther("/events?notice=" + notice)
