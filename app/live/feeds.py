"""What each side's socket is sent besides the replies: its `state`, and the messages
derived from a change ("offer", "room_changed"). One feed per socket; app/live/channel.py
calls `snapshot` on connect and after its own change, `cut` with the view of the hub's
round (the same state from a view already read), `derive` with each new state and
`notice` with a notification naming the socket's person (app/live/hub.py), `holds` with
the room of a ticket a reply gave the page (app/live/snapshots.RoomWatch).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from app.keys import DB_POOL, LIVE_HUB, SETTINGS
from app.live import call_tickets
from app.live.event_view import EventView, read_event_view
from app.live.organizer import ends_session
from app.live.snapshots import RoomWatch, candidate_state, interviewer_state
from app.settings import Settings

Message = dict[str, Any]
# `offer_ended`'s reason for an offer whose video room could not be made (notified as
# `offer_failed`: app/live/dispatch.py room_failed, app/live/interviews.py expire_offers).
ROOM_FAILED = "room"


def event_view_of(app: web.Application, event_id: int) -> Callable[[], Awaitable[EventView]]:
    """The event's current view, shared by every socket of the event in this process."""
    pool, settings, views = app[DB_POOL], app[SETTINGS], app[LIVE_HUB].views

    async def read() -> EventView:
        async with pool.acquire() as connection:
            return await read_event_view(connection, event_id, settings)

    return lambda: views.get(event_id, read)


class CandidateFeed:
    def __init__(self, app: web.Application, candidate_id: int, event_id: int):
        self.view = event_view_of(app, event_id)
        self.pool: asyncpg.Pool = app[DB_POOL]
        self.settings: Settings = app[SETTINGS]
        self.candidate_id = candidate_id
        self.rooms = RoomWatch()
        self.offered: set[int] = set()  # the offers announced: "your turn" once per offer
        # Set by the channel once the socket is open: where `notice` sends, and how it ends
        # the socket.
        self.send: Callable[[Message], Awaitable[None]] | None = None
        self.close: Callable[[], Awaitable[object]] | None = None
        self.page = ""  # the socket's key among the candidate's pages (app/views/live_sockets.py)

    async def snapshot(self) -> Message:
        return await self.cut(await self.view())

    async def cut(self, view: EventView) -> Message:
        return await candidate_state(view, self.candidate_id, self.settings)

    async def derive(self, state: Message) -> list[Message]:
        if self.rooms.moved(state["interview"]):
            interview_id = state["interview"]["id"]
            async with self.pool.acquire() as connection:
                tickets = await call_tickets.reissue_tickets(connection, self.settings, interview_id)
            if tickets is not None:
                self.rooms.hold(interview_id, tickets.room)
                return [{"type": "room_changed", "interview": interview_id, "ticket": tickets.candidate}]
        # "Your turn" once per offer, for the sound and the alert; the state has it too.
        offer = state["offer"]
        if offer is None or offer["interview"] in self.offered:
            return []
        self.offered.add(offer["interview"])
        return [{"type": "offer", **offer}]

    def holds(self, interview_id: int, room: int) -> bool:
        return self.rooms.hold(interview_id, room)

    async def notice(self, named: Message) -> None:
        """The offer straight from the dispatch's notification, ahead of the next state
        (which then does not repeat it): the moment that matters most to the candidate.
        And the end of the registration (app/live/leaving.py): the page shows where its
        link now leads instead of a queue the candidate is no longer in. An offer whose
        room could not be made (`offer_failed`): the page says so (`offer_ended`). Their link replaced
        by a new one (app/views/link_locks_admin.py): the socket ends, and the page, asking
        to be let in again, finds its link gone and says so."""
        if named.get("kind") == "link_reissued":
            if self.close is not None:
                await self.close()
            return
        if named.get("kind") == "registration_ended" and self.send is not None:
            await self.send({"type": "registration_ended"})
            return
        if named.get("kind") == "offer_failed":
            # The offer's room could not be made: from the next state alone (back in the
            # queue, time still left) the page would say the interviewer withdrew it.
            interview = named.get("interview")
            if isinstance(interview, int) and self.send is not None:
                await self.send({"type": "offer_ended", "interview": interview, "reason": ROOM_FAILED})
            return
        if named.get("kind") == "feedback_saved":
            # The interest answer saved from another page of theirs: one already thanking
            # says back the new answer (app/live/actions.py feedback).
            if named.get("page") != self.page and self.send is not None:
                await self.send({"type": "answer_saved"})
            return
        if named.get("kind") == "call_taken":
            # Another page of the candidate joined the call (app/live/actions.py): this one
            # leaves it, unless it is that page.
            interview = named.get("interview")
            if named.get("page") != self.page and isinstance(interview, int) and self.send is not None:
                await self.send({"type": "call_taken", "interview": interview})
            return
        if (
            named.get("kind") != "offer"
            or named.get("interview") in self.offered
            or not isinstance(named.get("expires_at"), str)
            or self.send is None
        ):
            return
        self.offered.add(named["interview"])
        await self.send({"type": "offer", "interview": named["interview"], "expires_at": named["expires_at"]})


class InterviewerFeed:
    def __init__(self, app: web.Application, interviewer_id: int, event_id: int):
        self.view = event_view_of(app, event_id)
        self.settings: Settings = app[SETTINGS]
        self.interviewer_id = interviewer_id
        self.rooms = RoomWatch()
        # Set by the channel once the socket is open: where `notice` sends, and how it ends
        # the socket.
        self.send: Callable[[Message], Awaitable[None]] | None = None
        self.close: Callable[[], Awaitable[object]] | None = None
        self.page = ""  # the socket's key among the interviewer's pages
        # The tag of the account session the socket was let in by (app/auth/sessions.py
        # session_tag), when it was let in as the link's account and not with the code.
        self.account_session: str | None = None

    def holds(self, interview_id: int, room: int) -> bool:
        return self.rooms.hold(interview_id, room)

    async def notice(self, named: Message) -> None:
        """Another window of the interviewer saved their record (app/live/outcome.py): this
        one's form fetches it (`record`) unless it is the window that saved. A page of theirs
        joined their call (`call_here`, app/live/actions.py): every page is told, that one
        too (it knows its own by the mark it made), so each page sees the joins in one order.
        The interviewer was taken off the event (the employer's edit, app/events/workflow.py):
        the page is told (it loads its link, which no longer opens) and the socket ends, so
        that it is sent no more names from the queue whatever the page does. Their link
        replaced by a new one (app/views/link_locks_admin.py): the socket ends, and the page,
        asking to be let in again, finds its link gone (every page of theirs is on it). The
        session of the account it was let in as ended (a log-out, a new password set
        elsewhere, the account disabled): the page is told (`signed_out`) and the socket
        ends; the page loads the link's page, which says so and asks for the code."""
        if named.get("kind") == "link_reissued":
            if self.close is not None:
                await self.close()
            return
        if self.account_session is not None and ends_session(named, self.account_session):
            if self.send is not None:
                await self.send({"type": "signed_out"})
            if self.close is not None:
                await self.close()
            return
        if self.send is None:
            return
        if named.get("kind") == "interviewer_removed":
            await self.send({"type": "interviewer_removed"})
            if self.close is not None:
                await self.close()
            return
        if named.get("kind") == "call_taken":
            interview, mark = named.get("interview"), named.get("mark")
            if (interview is None or isinstance(interview, int)) and isinstance(mark, str):
                await self.send({"type": "call_taken", "interview": interview, "mark": mark})
            return
        if named.get("kind") in ("offer_withdrawn", "offer_failed"):
            # Why their offer ended before anyone joined: every window says it (the one that
            # pressed Withdraw knows; the others, and every window when the candidate left
            # the queue or the room could not be made, would have to guess from the next
            # state, where a failed room looks like a withdrawal).
            interview = named.get("interview")
            reason = ROOM_FAILED if named.get("kind") == "offer_failed" else named.get("reason")
            if (
                named.get("interviewer") == self.interviewer_id
                and isinstance(interview, int)
                and isinstance(reason, str)
            ):
                await self.send({"type": "offer_ended", "interview": interview, "reason": reason})
            return
        if named.get("kind") != "record_saved" or named.get("page") == self.page:
            return
        interview, version = named.get("interview"), named.get("version")
        if isinstance(interview, int) and isinstance(version, int):
            await self.send({"type": "record_saved", "interview": interview, "version": version})

    async def snapshot(self) -> Message:
        return await self.cut(await self.view())

    async def cut(self, view: EventView) -> Message:
        return await interviewer_state(view, self.interviewer_id, self.settings)

    async def derive(self, state: Message) -> list[Message]:
        own = state["interview"]
        if self.rooms.moved(own) and own["ticket"]:
            return [{"type": "room_changed", "interview": own["id"], "ticket": own["ticket"]}]
        return []
