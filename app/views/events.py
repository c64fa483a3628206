"""The employer's events: list, create, and the event page."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from app.auth import require_user
from app.candidates import queries as candidate_queries
from app.events import queries
from app.events.form import parse_event_form
from app.events.notify import INVITATIONS_REFUSED, TooManyInvitations
from app.events.rules import (
    INVITATIONS_PER_DAY,
    as_local,
    checking_in_only,
    interview_slots,
    is_over,
    may_end_now,
    under_way,
)
from app.events.workflow import create_event
from app.i18n import LANGUAGES
from app.keys import DB_POOL, LANGUAGE, MAILER, RENDERER, SETTINGS
from app.timefmt import format_event_time
from app.views.link_locks_admin import locks_for_event
from app.views.pages import render
from app.views.path_ids import path_id
from app.views.candidate_list import place_in_list, search_of
from app.views.event_notices import event_page_notices, events_list_notice
from app.views.roster import page_number

routes = web.RouteTableDef()
# How many past events the list shows at a time.
PAST_PER_PAGE = 20


def event_id_of(request: web.Request) -> int:
    """The event id of the path (app/views/path_ids.py)."""
    return path_id(request, "event_id")


async def split_form(request: web.Request) -> tuple[dict, dict]:
    """Single fields and the repeated ones (questions, attributes, interviewers)."""
    data = await request.post()
    single = {key: value for key, value in data.items() if isinstance(value, str)}
    lists = {
        name: [v for v in data.getall(name, []) if isinstance(v, str)]
        for name in ("question", "attribute", "interviewer_email", "interviewer_name")
    }
    return single, lists


def invite_text(gettext, ngettext, event, link: str, language: str) -> str:
    """The ready-made invitation to paste into a mail, in `language` (the page offers it in
    the event's language, the candidates', and in the other one for a mixed group), whatever
    language the employer reads the page in."""
    return "\n\n".join(
        [
            gettext("Welcome to a speed interview for “%(title)s” at %(organization)s!")
            % {"title": event["title"], "organization": event["organization_name"]},
            ngettext(
                "When: %(time)s. Each interview takes %(minutes)s minute, on video in your browser.",
                "When: %(time)s. Each interview takes %(minutes)s minutes, on video in your browser.",
                event["interview_minutes"],
            )
            % {
                "time": format_event_time(event["starts_at"], language),
                "minutes": event["interview_minutes"],
            },
            gettext("Register here: %(link)s") % {"link": link},
        ]
    )


@routes.get("/events", name="events")
async def list_events(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        rows = await queries.list_for_user(connection, user.id, user.organization_id)
    now = dt.datetime.now(dt.timezone.utc)
    events = [
        dict(
            row,
            slots=interview_slots(
                row["planned_duration_minutes"] or row["duration_minutes"],
                row["interview_minutes"],
                row["interviewer_count"],
            ),
            # Being held now, or its check-in open (who has come is what the organizer
            # watches then): the list links its live view, as the event's page does.
            under_way=under_way(row, now),
            # Check-in opens before the start: "check-in open" until then, not "in progress",
            # unless the interviewers have begun before it (they may, once check-in opens).
            before_start=checking_in_only(row, now),
            over=is_over(row, now),
        )
        for row in rows
    ]
    # The past ones newest first, PAST_PER_PAGE at a time: an organization's years of events
    # are not one table (`past`: the page of them, 1 = the newest).
    # Past: over, and no call of it goes on (one still live past its end, "Ending: interviews
    # still under way", is watched like one in progress).
    upcoming: list[dict] = []
    past: list[dict] = []
    for e in events:
        (past if e["over"] and e["state"] != "live" else upcoming).append(e)
    past.reverse()
    past_pages = max(1, -(-len(past) // PAST_PER_PAGE))
    past_page = min(page_number(request.query.get("past", "")) or 1, past_pages)
    return render(
        request,
        "events/list.html",
        {
            "upcoming": upcoming,
            "past": past[(past_page - 1) * PAST_PER_PAGE : past_page * PAST_PER_PAGE],
            "past_page": past_page,
            "past_pages": past_pages,
            **events_list_notice(request.query),
            "invitations_per_day": INVITATIONS_PER_DAY,
        },
    )


@routes.get("/events/new", name="event_new")
async def new_event(request: web.Request) -> web.Response:
    require_user(request)
    defaults = {
        "duration_minutes": "60",
        "interview_minutes": "10",
        "capacity": "18",
        "language": request[LANGUAGE],
        "questions": [],
        "attributes": [],
        "interviewers": [],
    }
    return render(
        request, "events/form.html", {"mode": "create", "event_id": None, "values": defaults, "errors": {}}
    )


@routes.post("/events/new", name="event_create")
async def create(request: web.Request) -> web.Response:
    user = require_user(request)
    single, lists = await split_form(request)
    mode = "copy" if single.get("mode") == "copy" else "create"
    # A copy is saved as a draft whatever button was sent.
    publish_now = single.get("action") == "publish" and mode == "create"
    result = parse_event_form(
        single,
        lists,
        now=dt.datetime.now(dt.timezone.utc),
        needs_interviewer="publish" if publish_now else None,
    )
    if result.event is None:
        return render(
            request,
            "events/form.html",
            {"mode": mode, "event_id": None, "values": result.values, "errors": result.errors},
            status=422,
        )
    settings = request.app[SETTINGS]
    try:
        async with request.app[DB_POOL].acquire() as connection:
            async with connection.transaction():
                event_id = await create_event(
                    connection,
                    request.app[MAILER],
                    settings.app.public_url,
                    user,
                    result.event,
                    publish_now,
                    settings.live,
                )
    except TooManyInvitations:
        errors = {"interviewers": (INVITATIONS_REFUSED, {"count": INVITATIONS_PER_DAY})}
        context = {"mode": mode, "event_id": None, "values": result.values, "errors": errors}
        return render(request, "events/form.html", context, status=429)
    notice = "published" if publish_now else "created"
    raise web.HTTPSeeOther(f"/events/{event_id}?notice={notice}")


@routes.get("/events/{event_id}", name="event")
async def show(request: web.Request) -> web.Response:
    user = require_user(request)
    event_id = event_id_of(request)
    async with request.app[DB_POOL].acquire() as connection:
        event = await queries.get_for_user(connection, event_id, user.id, user.organization_id)
        if event is None:
            raise web.HTTPNotFound()
        details = {
            "questions": await queries.items(connection, "event_question", event_id),
            "attributes": await queries.items(connection, "event_attribute", event_id),
            "interviewers": await queries.interviewers(connection, event_id),
            # (Only while it can still be changed: over or cancelled, nothing to warn of.)
            "booked_elsewhere": await queries.interviewers_booked_elsewhere(connection, event_id)
            if event["state"] != "cancelled" and not is_over(event, dt.datetime.now(dt.timezone.utc))
            else [],
            # An event ended in its first minute says what it held: interviews may begin
            # from check-in, so an end at the set start is not an empty event.
            "interviews_held": await queries.interviews_held(connection, event_id)
            if event["ended_early_at"] and not event["duration_minutes"]
            else 0,
        }
        # The registrations a page at a time, searched by any part of a name, address or
        # phone (`q`, as long as the search field allows: a longer one is cut there).
        search = search_of(request.query)
        listed = (
            await candidate_queries.for_employer(
                connection,
                event_id,
                request[LANGUAGE],
                search,
                page_number(request.query.get("page", "")) or 1,
            )
            if event["editable"]
            else candidate_queries.EmployerList([], 0, 1, 1)
        )
        details["candidates"] = listed.rows
        # Personal links new devices cannot try now, for the organizer to open again.
        link_locks = await locks_for_event(
            connection, details["candidates"], details["interviewers"], request.app[SETTINGS].limits
        )
    public_url = request.app[SETTINGS].app.public_url
    now = dt.datetime.now(dt.timezone.utc)
    # Over or cancelled, the link only says so: nothing left to invite to.
    inviting = event["invite_token"] and event["state"] != "cancelled" and not is_over(event, now)
    invite_link = f"{public_url}/r/{event['invite_token']}" if inviting else None
    # (Not called `gettext` and `ngettext`: Babel would extract them.)
    in_language, in_language_n = request.app[RENDERER].gettext, request.app[RENDERER].ngettext
    return render(
        request,
        "events/show.html",
        {
            "event": event,
            **details,
            "public_url": public_url,
            "local_start": as_local(event["starts_at"]),
            "before_start": checking_in_only(event, now),
            "under_way": under_way(event, now),
            "may_end_now": may_end_now(event, now),
            "ended_early_at": as_local(event["ended_early_at"]).strftime("%H:%M")
            if event["ended_early_at"]
            else None,
            # Ended early after being held from before its set start (interviewers may call
            # candidates in from check-in): from when, for its length to read right.
            "held_since": as_local(event["starts_at"]).strftime("%H:%M")
            if event["planned_starts_at"] and event["starts_at"] < event["planned_starts_at"]
            else None,
            "held_minutes": held_minutes(event),
            # As planned: an event ended early was planned for its set length.
            "slots": interview_slots(
                event["planned_duration_minutes"] or event["duration_minutes"],
                event["interview_minutes"],
                event["interviewer_count"],
            ),
            "over": is_over(event, now),
            "invite_link": invite_link,
            "listed": listed,
            "search": search,
            # Where in the list a row's action comes back to.
            "list_place": place_in_list(search, listed.page),
            "invitations_per_day": INVITATIONS_PER_DAY,
            # (language, its text): the event's language first.
            "invite_texts": [
                (
                    language,
                    invite_text(in_language(language), in_language_n(language), event, invite_link, language),
                )
                for language in sorted(LANGUAGES, key=lambda language: language != event["language"])
            ]
            if invite_link
            else [],
            **event_page_notices(request.query, event),
            "link_locks": link_locks,
        },
    )


def held_minutes(event) -> int:
    """How long an event ended early was held, in the minutes its page's clock times show
    ("from 22:27 … at 22:32": 5): its stored length is cut to the whole minutes held (4 for
    4 min 30 s: it must be over at once), which read as one short beside the two times."""
    if not event["ended_early_at"]:
        return event["duration_minutes"]
    start = event["starts_at"].replace(second=0, microsecond=0)
    end = event["ended_early_at"].replace(second=0, microsecond=0)
    return (end - start) // dt.timedelta(minutes=1)
