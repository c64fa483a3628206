"""What happens when an event is created, changed, published or deleted: the rows and the
mails, in the caller's transaction (so a mail goes out only if its change is committed)."""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple, TYPE_CHECKING

import asyncpg

from app.events import notify, queries
from app.events.form import EventInput
from app.events.rules import is_over
from app.live import cancelling
from app.live import queue as live_queue
from app.live.interviews import RoomToClose
from app.live.event_states import advance_event_states

if TYPE_CHECKING:
    from app.settings import LiveSettings
    from app.mail.outbox import Mailer


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def _save_parts(connection: asyncpg.Connection, event_id: int, event: EventInput):
    await queries.replace_items(connection, "event_question", event_id, event.questions)
    await queries.replace_items(connection, "event_attribute", event_id, event.attributes)
    organization_id = await connection.fetchval("SELECT organization_id FROM event WHERE id = $1", event_id)
    return await queries.sync_interviewers(
        connection, event_id, organization_id, event.interviewers, event.language
    )


async def _reload(connection: asyncpg.Connection, event_id: int, user) -> asyncpg.Record:
    return await queries.get_for_user(connection, event_id, user.id, user.organization_id)


async def create_event(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    user,
    event: EventInput,
    publish_now: bool,
    live: LiveSettings,
) -> int:
    event_id = await queries.insert_event(connection, user.organization_id, user.id, event)
    await _save_parts(connection, event_id, event)
    if publish_now:
        await publish_event(connection, mailer, public_url, user, event_id, live)
    return event_id


async def publish_event(
    connection: asyncpg.Connection, mailer: Mailer, public_url: str, user, event_id: int, live: LiveSettings
) -> None:
    """Give the event its invite link and send every interviewer their personal link. One
    published with its check-in open already is live at once (the page the organizer is sent
    to says "Check-in open" and links the live view, not "Published" until the sweeper's
    next round)."""
    await queries.publish(connection, event_id)
    await advance_event_states(connection, live, event_id)
    event = await _reload(connection, event_id, user)
    pending = [row for row in await queries.interviewers(connection, event_id) if row["invited_at"] is None]
    await notify.invite_interviewers(connection, mailer, public_url, event, pending)


class EditMails(NamedTuple):
    """What a saved edit mailed, counted (the event's page tells the organizer): the new
    time to candidates and to interviewers, an invitation to each interviewer added, a
    cancellation to each one removed."""

    time_candidates: int = 0
    time_interviewers: int = 0
    invited: int = 0
    uninvited: int = 0


async def update_event(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    user,
    before: asyncpg.Record,
    event: EventInput,
    live: LiveSettings,
) -> EditMails:
    """Save the edit; for a published event, tell whom it concerns (and one moved into its
    check-in window is live at once, as publish_event says). Returns what was mailed."""
    event_id = before["id"]
    time_changed = (
        event.starts_at != before["starts_at"] or event.duration_minutes != before["duration_minutes"]
    )
    await queries.update_event(connection, event_id, event, time_changed)
    added, removed = await _save_parts(connection, event_id, event)
    # Their open meeting pages end at the commit (app/live/feeds.py, InterviewerFeed.notice):
    # someone taken off the event sees no more of its queue.
    for row in removed:
        await live_queue.notify(connection, event_id, "interviewer_removed", interviewer=row["id"])
    if before["state"] not in ("published", "live"):
        return EditMails()
    if time_changed:
        await advance_event_states(connection, live, event_id)
    after = await _reload(connection, event_id, user)
    # Those taken off are told of the event as they were invited to it: its time and title
    # before this edit (they get no mail of the change itself).
    uninvited = await notify.announce_cancellation(
        connection, mailer, public_url, before, removed, [], bump=1
    )
    invited = await notify.invite_interviewers(connection, mailer, public_url, after, added)
    told = notify.Mailed()
    if time_changed:
        added_ids = {row["id"] for row in added}
        informed = [
            row for row in await queries.interviewers(connection, event_id) if row["id"] not in added_ids
        ]
        told = await notify.announce_new_time(
            connection,
            mailer,
            public_url,
            after,
            before["starts_at"],
            before["duration_minutes"],
            informed,
            await queries.active_candidates(connection, event_id),
            previous_interview_minutes=before["interview_minutes"],
        )
    return EditMails(told.candidates, told.interviewers, invited.interviewers, uninvited.interviewers)


class Deleted(NamedTuple):
    mailed: bool  # whether cancellations went out (not for an event that is over)
    rooms: list[RoomToClose]  # of the calls it ended: the caller closes them after its commit


async def delete_event(
    connection: asyncpg.Connection, mailer: Mailer, public_url: str, user, before: asyncpg.Record
) -> Deleted:
    """Cancel the event and hide it; everyone who was told about it gets a cancellation,
    unless it is over. One being held ends its event day at once: its calls under way end
    and its open offers are withdrawn (app/live/cancelling.py). The caller holds the event's
    row (so no dispatch comes between)."""
    event_id = before["id"]
    interviewers = await queries.interviewers(connection, event_id)
    # (Read before the calls under way are ended: the candidate in one is told too.)
    candidates = await queries.not_yet_interviewed(connection, event_id)
    await queries.cancel(connection, event_id)
    rooms = await cancelling.end_event_day(connection, event_id)
    # Its open event-day pages are told at the commit (each says the event is cancelled).
    await live_queue.notify(connection, event_id, "event_state")
    after = await queries.get_by_id(connection, event_id)
    assert after is not None, "cancelled above, in this transaction"
    if is_over(before, now()):
        # Nothing to cancel in anyone's calendar for an event that is over (the confirmation
        # page says so: app/views/event_changes.py delete_confirm).
        return Deleted(False, rooms)
    await notify.announce_cancellation(connection, mailer, public_url, after, interviewers, candidates)
    return Deleted(True, rooms)


async def end_event_now(
    connection: asyncpg.Connection, event_id: int, live: LiveSettings
) -> Literal["finished", "ending"] | None:
    """End an event being held before its set end, as its end by the clock does: no one else
    is called in from the queue, those still waiting are told the time is over, and the
    interviews under way go on to their own end (the event is finished once they have). Its
    open event-day pages are told at the commit. "finished": no interview went on, so it is
    finished now; "ending": interviews go on; None when it had not begun or was already over
    (nothing changed). The caller holds the event's row (so no dispatch comes between)."""
    if not await queries.end_early(connection, event_id):
        return None
    # Over now: finished at once if no interview goes on (else by the sweeper once none
    # does); either way its pages are told.
    if event_id in await advance_event_states(connection, live, event_id):
        return "finished"
    await live_queue.notify(connection, event_id, "event_state")
    return "ending"
