"""The organizer's side of the limits on guessing (README "Limits on guessing"): which
personal links new devices cannot try now, opening one again, and re-issuing a link with a
new PIN or code (the old link, the old PIN or code and every device known to them stop
working; the new ones are mailed through the outbox). Only the event's own organization
may; anyone else gets a 404."""

from __future__ import annotations

import logging

import asyncpg
from aiohttp import web

from app import guessing
from app.auth import require_user
from app.candidates import mails
from app.candidates import queries as candidate_queries
from app.events import notify
from app.events import queries as event_queries
from app.events.tokens import link_token
from app.keys import DB_POOL, MAILER, SETTINGS
from app.link_codes import CANDIDATE_PIN, INTERVIEWER_CODE, GuardedCode, reissue
from app.live import queue as live_queue
from app.settings import LimitSettings
from app.views.candidate_admin import (
    ACTIVE_STATES,
    back_to_event,
    owned_event,
    refused_unless_changeable,
    registered_candidate,
)
from app.views.path_ids import path_id

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


async def locks_for_event(
    connection: asyncpg.Connection, candidates, interviewers, limits: LimitSettings
) -> dict:
    """{"candidates": {id: LinkLock}, "interviewers": {id: LinkLock}} for the event page."""
    found = {}
    for name, kind, rows in (
        ("candidates", CANDIDATE_PIN, candidates),
        ("interviewers", INTERVIEWER_CODE, interviewers),
    ):
        locks = await guessing.link_locks(connection, kind.scope, [str(row["id"]) for row in rows], limits)
        found[name] = {int(subject): lock for subject, lock in locks.items()}
    return found


def back_to_interviewers(request: web.Request, event_id: int, notice: str) -> web.HTTPSeeOther:
    # The notice is one of a fixed few; events/show.html shows its text. (`request`: called
    # as back_to_event is, by unlock; the interviewers' list has no search or pages.)
    return web.HTTPSeeOther(f"/events/{event_id}?interviewers={notice}#interviewers-heading")


async def unlock(request: web.Request, kind: GuardedCode, person_of, back) -> web.Response:
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await owned_event(connection, request)
            person = await person_of(connection, request, event)
            await guessing.unlock(connection, kind.scope, str(person["id"]))
    log.info(
        "%s %s (event %s) unlocked by user %s",
        kind.described_as,
        person["id"],
        event["id"],
        require_user(request).id,
    )
    raise back(request, event["id"], "unlocked")


@routes.post("/events/{event_id}/candidates/{candidate_id}/unlock", name="candidate_unlock")
async def unlock_candidate(request: web.Request) -> web.Response:
    return await unlock(request, CANDIDATE_PIN, registered_candidate, back_to_event)


@routes.post("/events/{event_id}/candidates/{candidate_id}/reissue", name="candidate_reissue")
async def reissue_candidate(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await owned_event(connection, request, for_update=True)
            candidate = await registered_candidate(connection, request, event, for_update=True)
            refused_unless_changeable(request, event, candidate)
            await reissue(connection, CANDIDATE_PIN, candidate["id"], link_token())
            # A page open on the old link stops at once: its live socket is closed (at the
            # commit, in whichever process holds it), and it finds its link gone.
            await live_queue.notify(connection, event["id"], "link_reissued", candidate=candidate["id"])
            candidate = await candidate_queries.in_event(connection, event["id"], candidate["id"])
            assert candidate is not None, "locked above"
            await mails.send_confirmation(
                connection,
                request.app[MAILER],
                settings.app.public_url,
                await candidate_queries.event_by_id(connection, event["id"]),
                candidate,
                again=True,
                replaced=True,
            )
    log.info(
        "personal link of candidate %s (event %s) re-issued by user %s",
        candidate["id"],
        event["id"],
        require_user(request).id,
    )
    raise back_to_event(request, event["id"], "reissued")


async def event_interviewer(connection: asyncpg.Connection, request: web.Request, event):
    row = await event_queries.interviewer_in_event(
        connection, event["id"], path_id(request, "interviewer_id")
    )
    if row is None:
        raise web.HTTPNotFound()
    return row


@routes.post("/events/{event_id}/interviewers/{interviewer_id}/unlock", name="interviewer_unlock")
async def unlock_interviewer(request: web.Request) -> web.Response:
    return await unlock(request, INTERVIEWER_CODE, event_interviewer, back_to_interviewers)


@routes.post("/events/{event_id}/interviewers/{interviewer_id}/reissue", name="interviewer_reissue")
async def reissue_interviewer(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await owned_event(connection, request, for_update=True)
            interviewer = await event_interviewer(connection, request, event)
            if event["state"] not in ACTIVE_STATES:
                raise back_to_interviewers(request, event["id"], "not_published")
            try:
                async with connection.transaction():  # a savepoint, undone if refused
                    await reissue(connection, INTERVIEWER_CODE, interviewer["id"], link_token())
                    await live_queue.notify(
                        connection, event["id"], "link_reissued", interviewer=interviewer["id"]
                    )
                    await notify.invite_interviewers(
                        connection,
                        request.app[MAILER],
                        settings.app.public_url,
                        await event_queries.get_by_id(connection, event["id"]),
                        [await event_interviewer(connection, request, event)],
                        replaced=True,
                    )
            except notify.TooManyInvitations:
                raise back_to_interviewers(request, event["id"], "invitations_limit") from None
    log.info(
        "meeting link of interviewer %s (event %s) re-issued by user %s",
        interviewer["id"],
        event["id"],
        require_user(request).id,
    )
    raise back_to_interviewers(request, event["id"], "reissued")
