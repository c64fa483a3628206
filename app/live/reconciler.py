"""The reconciler: Janus's rooms and the database's live interviews kept in step (crash recovery).

At start-up and every `live.reconcile_interval` seconds each application process compares
the rooms on every Janus server with the interviews that are offered or active:

- A room of ours (description "interview <id>", or "interview <deployment> <id>" with a
  `janus.deployment_id`; anyone else's is left alone) that no live interview owns is destroyed:
  its interview ended while Janus was unreachable, or its process died between making the
  room and writing it down. Its secret is derived from the admin key (rooms.room_secret),
  so it can be destroyed without any record of it.
- A live interview whose room is gone (its Janus restarted, or has been lost for
  `janus.lost_after` seconds, or left the fleet) gets a new room on the least-loaded active
  server (app/janus/pool.py), and `room_generation` grows. Both pages then receive `room_changed` with a new ticket and join
  the new room.
- When no server can take it, the interview's media is down: `media_lost_at` is set, both
  pages and the organizer's say so, and its clock stops (the sweeper leaves it alone). The
  move that finally succeeds ends the outage in the same UPDATE: the end (or the offer's
  deadline) moves on by the time lost (app/migrations/0012_media_outage_clock.sql).
- When the lost server answers again with the interview's room still there (it hung, or
  the network to it was cut, rather than restarting), there is nothing to move: the outage
  ends in place, one conditional UPDATE moving the clock on just as a move does, and the
  room's generation grows so that both pages get `room_changed` with a fresh ticket for the
  same room (their Janus sessions may have died meanwhile). A server that restarted
  meanwhile has lost the room: the interview is moved as above.

Rounds run every `live.reconcile_interval` seconds, and at once (after `janus.lost_after`)
whenever a server is lost or comes back (JanusPool.changed): a killed Janus's interviews
are in new rooms within seconds, and an outage ends as soon as a server is back.

- Each server's count of this deployment's rooms is recorded in the fleet table, beside the
  count placement keeps from the interviews (/ops shows both when they differ).
- A participant's Janus token (app/janus/tokens.py) whose room is gone or belongs to no live
  interview, or that a newer one replaced, is removed: its interview ended while the Admin
  API was unreachable, or the process that ended it (or renewed it) died before removing it. A room's tokens are added after the room is
  made, and each round lists the tokens before the rooms, so a token just added always finds
  its room in the listing.

Several processes may reconcile at once: a move is one conditional UPDATE on the old room,
so only one process wins; the others destroy the rooms they made in vain. Ending an outage
in place is conditional on `media_lost_at` being set: one process ends it, once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import asyncpg
from aiohttp import web

from app.janus.connection import JanusError, JanusUnavailable
from app.janus.pool import JanusPool
from app.janus.rooms import (
    destroy_room,
    list_rooms,
    room_description,
    room_exists,
    room_interview,
    room_secret,
)
from app.janus.tokens import token_owner
from app.keys import DB_POOL, JANUS, SETTINGS
from app.live.queue import notify, notify_interview
from app.outages import Outage, from_the_database

log = logging.getLogger(__name__)
JANUS_FAILURES = (JanusUnavailable, JanusError, TimeoutError)

# The end of an outage (if any) in an UPDATE's SET: the interview's clock moves on by the
# time lost, whether a new room was made or the old one is back. (An offer accepted during
# the outage lost only what came after.)
OUTAGE_ENDS = """
    ends_at = CASE WHEN media_lost_at IS NULL THEN ends_at
        ELSE ends_at + (now() - greatest(media_lost_at, started_at)) END,
    offer_expires_at = CASE WHEN state = 'offered'
        THEN offer_expires_at + coalesce(now() - media_lost_at, interval '0')
        ELSE offer_expires_at END,
    media_lost_seconds = media_lost_seconds + coalesce(extract(epoch FROM now() - media_lost_at), 0),
    media_lost_at = NULL"""


@dataclass
class Round:
    destroyed: list[tuple[str, int]] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    # Interviews whose room is lost with no server to take it: their clocks stop.
    media_lost: list[int] = field(default_factory=list)
    # Interviews whose lost server came back with their room: their clocks run again.
    media_back: list[int] = field(default_factory=list)
    tokens_removed: int = 0


class Reconciler:
    def __init__(self, pool: asyncpg.Pool, janus: JanusPool):
        self.pool = pool
        self.janus = janus

    async def _listings(self) -> dict[str, dict[int, str] | None]:
        """Each server's rooms {id: description}, or None when it cannot be asked now."""
        listings: dict[str, dict[int, str] | None] = {}
        # A copy: the fleet may change while the servers are asked (app/janus/pool.py).
        for name, connection in list(self.janus.connections.items()):
            listing = None
            if connection.state == "ok":
                try:
                    rooms = await list_rooms(connection, self.janus.admin_key)
                    listing = {int(r["room"]): str(r.get("description", "")) for r in rooms}
                except JANUS_FAILURES as error:
                    log.warning("reconciler cannot list rooms on %s: %s", name, type(error).__name__)
            listings[name] = listing
        return listings

    async def _token_listings(self) -> dict[str, list[str] | None]:
        """Each server's participant tokens, or None when its Admin API cannot be asked."""
        tokens: dict[str, list[str] | None] = {}
        for name, connection in list(self.janus.connections.items()):
            tokens[name] = None
            if connection.state != "ok":
                continue  # down: its rooms are not listed either
            try:
                async with connection.admin() as admin:
                    tokens[name] = [
                        t
                        for t in await admin.list_tokens()
                        if token_owner(t, self.janus.deployment) is not None
                    ]
            except JANUS_FAILURES as error:
                log.warning("reconciler cannot list tokens on %s: %s", name, type(error).__name__)
        return tokens

    async def _remove_stale_tokens(self, server: str, listed: list[str], keep_rooms: dict[int, int]) -> int:
        """Remove every token but the current ones of the rooms in `keep_rooms`
        {room id: the candidate's token serial} (the interviewer's serial is always 0)."""
        keep = {
            token
            for room_id, serial in keep_rooms.items()
            for token in (
                self.janus.janus_token(server, room_id, 0, serial),
                self.janus.janus_token(server, room_id, 1),
            )
        }
        stale = [token for token in listed if token not in keep]
        if not stale:
            return 0
        try:
            async with self.janus.connection(server).admin() as admin:
                await admin.remove_tokens(stale)
        except JANUS_FAILURES as error:
            log.warning("stale tokens on %s not removed: %s", server, type(error).__name__)
            return 0
        log.info("removed %d Janus tokens on %s: no live interview owns them", len(stale), server)
        return len(stale)

    async def run_once(self) -> Round:
        done = Round()
        tokens = await self._token_listings()  # before the rooms: see above
        listings = await self._listings()
        async with self.pool.acquire() as connection:
            live = await connection.fetch("""
                SELECT id, state, janus_server, room_id, candidate_token_serial, media_lost_at
                FROM interview WHERE state IN ('offered', 'active')""")
        owned = {(row["janus_server"], row["room_id"]): row["candidate_token_serial"] for row in live}
        # Janus's own count of this deployment's rooms, shown beside the app's (/ops).
        await self.janus.record_listing(
            {
                server: sum(room_interview(self.janus.deployment, d) is not None for d in listing.values())
                for server, listing in listings.items()
                if listing is not None
            }
        )
        waiting_for_room = {row["id"] for row in live if row["room_id"] is None}
        for server, listing in listings.items():
            for room_id, description in (listing or {}).items():
                ours = room_interview(self.janus.deployment, description)
                if ours is None or (server, room_id) in owned or ours in waiting_for_room:
                    continue  # not ours, live, or being attached by a dispatch right now
                if await self._destroy(server, room_id):
                    done.destroyed.append((server, room_id))
        for server, listed in tokens.items():
            listing = listings.get(server)
            if listed is None or listing is None:
                continue  # cannot tell now which rooms live there; the next round will
            # A room being attached by a dispatch right now has its first tokens.
            keep_rooms = {
                room_id: owned.get((server, room_id), 0)
                for room_id, description in listing.items()
                if (server, room_id) in owned
                or room_interview(self.janus.deployment, description) in waiting_for_room
            }
            done.tokens_removed += await self._remove_stale_tokens(server, listed, keep_rooms)
        for row in live:
            if row["room_id"] is None:
                continue
            if await self._lost(row["janus_server"], row["room_id"], listings):
                moved = await self._move(row["id"], row["janus_server"], row["room_id"])
                if moved:
                    done.moved.append(row["id"])
                elif moved is None:
                    done.media_lost.append(row["id"])
            elif row["media_lost_at"] is not None and row["room_id"] in (
                listings.get(row["janus_server"]) or {}
            ):
                # Its server answers again and kept the room (it hung, or the network to it
                # was cut): nothing to move, but the outage is over all the same.
                if await self._media_back(row["id"], row["janus_server"], row["room_id"]):
                    done.media_back.append(row["id"])
        return done

    async def _lost(self, server: str, room_id: int, listings: dict[str, Any]) -> bool:
        if server not in listings:
            # Placed by another replica on a server added since this round began, or before
            # this process heard of it: read the fleet afresh; lost only if it is in none.
            # (Known now, its connection is just being opened: the next round looks.)
            return not await self.janus.knows(server)
        listing = listings[server]
        if listing is None:  # lost for long enough, not just re-establishing its connection
            lost_after = self.janus.settings.lost_after
            connection = self.janus.connections.get(server)
            return connection is None or connection.down_seconds() >= lost_after
        if room_id in listing:
            return False
        # Asked again: a dispatch may have made the room after the listing was taken.
        try:
            return not await room_exists(self.janus.connection(server), room_id)
        except JANUS_FAILURES:
            return False  # cannot tell now; the next round will

    def next_loss_in(self) -> float | None:
        """Seconds until a server that is down now counts as lost, or None."""
        lost_after = self.janus.settings.lost_after
        waits = [
            lost_after - down
            for down in (c.down_seconds() for c in list(self.janus.connections.values()))
            if 0 < down < lost_after
        ]
        return min(waits) if waits else None

    async def _destroy(self, server: str, room_id: int) -> bool:
        secret = room_secret(self.janus.admin_key, server, room_id)
        try:
            await self.janus.remove_tokens(server, room_id)
            await destroy_room(self.janus.connection(server), room_id, secret)
            log.info("destroyed room %s on %s: no live interview owns it", room_id, server)
            return True
        except JANUS_FAILURES as error:
            log.warning("orphan room %s on %s not destroyed: %s", room_id, server, type(error).__name__)
            return False

    async def _move(self, interview_id: int, server: str, room_id: int) -> bool | None:
        """True when this process moved the interview; None when no server could take it
        (its media is down: the clock stops); False when it ended meanwhile or another
        process moved it first."""
        try:
            room = await self.janus.create_private_room(
                2, room_description(self.janus.deployment, interview_id)
            )
        except JANUS_FAILURES as error:
            log.warning("interview %s lost its room; no new one yet: %s", interview_id, type(error).__name__)
            await self._media_lost(interview_id, server, room_id)
            return None
        async with self.pool.acquire() as connection, connection.transaction():
            # The outage, if any, ends here: the clock moves on by the time it lasted.
            row = await connection.fetchrow(
                f"""
                UPDATE interview SET janus_server = $4, room_id = $5, room_pin = $6,
                       room_secret = $7, room_tokens = $8, room_generation = room_generation + 1,
                       candidate_token_serial = 0, {OUTAGE_ENDS}
                WHERE id = $1 AND janus_server = $2 AND room_id = $3
                  AND state IN ('offered', 'active')
                RETURNING event_id, candidate_id, interviewer_id""",
                interview_id,
                server,
                room_id,
                room.server,
                room.room_id,
                room.pin,
                room.secret,
                list(room.participant_tokens),
            )
            if row is not None:
                await notify(
                    connection,
                    row["event_id"],
                    "room_moved",
                    interview=interview_id,
                    candidate=row["candidate_id"],
                    interviewer=row["interviewer_id"],
                )
        if row is None:  # ended meanwhile, or another process moved it first
            await self._destroy(room.server, room.room_id)
            return False
        log.info("interview %s moved from %s to a new room on %s", interview_id, server, room.server)
        return True

    async def _media_lost(self, interview_id: int, server: str, room_id: int) -> None:
        """The interview's clock stops and its pages say why, once per outage: the
        condition on the room keeps a move by another process from being undone."""
        async with self.pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                """
                UPDATE interview SET media_lost_at = now()
                WHERE id = $1 AND janus_server = $2 AND room_id = $3
                  AND state IN ('offered', 'active') AND media_lost_at IS NULL
                RETURNING event_id, candidate_id, interviewer_id""",
                interview_id,
                server,
                room_id,
            )
            if row is not None:
                await notify(
                    connection,
                    row["event_id"],
                    "media_lost",
                    interview=interview_id,
                    candidate=row["candidate_id"],
                    interviewer=row["interviewer_id"],
                )
        if row is not None:
            log.warning(
                "interview %s: no Janus server can take it; its clock stops until one is back", interview_id
            )

    async def _media_back(self, interview_id: int, server: str, room_id: int) -> bool:
        """The outage ends in the room the interview already has: its clock moves on by the
        time lost, as a move's does. The room's generation grows all the same, so both
        pages are sent `room_changed` with a fresh ticket for the same room: a page whose
        Janus session died during the outage joins again, and one whose session lived
        through it joins anew too (a moment's break rather than a call left broken). True
        when this process ended the outage: the condition on `media_lost_at` lets only one
        of several reconciling processes do it.

        Not while another replica's fresh report still finds the server down: that one
        would find the room lost, have no server to move it to, and mark the outage again,
        and the two would end and begin it round after round, each time a break in the call.
        Such a replica ends it here too once its own connection works again."""
        async with self.pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                f"""
                UPDATE interview SET room_generation = room_generation + 1, {OUTAGE_ENDS}
                WHERE id = $1 AND janus_server = $2 AND room_id = $3
                  AND state IN ('offered', 'active') AND media_lost_at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM janus_server_health h
                                  WHERE h.server = $2 AND h.replica <> $4
                                    AND h.down_since IS NOT NULL AND h.expires_at > now())
                RETURNING id, event_id, candidate_id, interviewer_id""",
                interview_id,
                server,
                room_id,
                self.janus.replica.id,
            )
            if row is not None:
                await notify_interview(connection, row, "media_back")
        if row is None:
            return False
        log.info("interview %s: its room on %s is back; its clock runs again", interview_id, server)
        return True


async def _reconcile_forever(reconciler: Reconciler, interval: float) -> None:
    # The first round waits for the Janus connections to come up (5 s at most), so that
    # servers still connecting are not taken for lost (`janus.lost_after` guards the rest).
    connections = reconciler.janus.connections.values()
    try:
        async with asyncio.timeout(min(interval, 5.0)):
            await asyncio.gather(*(c.wait_ready(interval) for c in connections))
    except TimeoutError:
        pass
    changed = reconciler.janus.changed
    outage = Outage(log, "Janus reconciler", "trying again every round")
    while True:
        changed.clear()  # a change during the round brings the next one at once
        began = time.monotonic()
        try:
            await reconciler.run_once()
            outage.over()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            # The database away is an outage, said once (and when it is back); anything
            # else (a Janus call) each time.
            if from_the_database(error):
                outage.seen(error, began)
            else:
                log.warning("reconcile round failed: %s", type(error).__name__)
        # The next round: at the interval, when a server is lost or back, or when a server
        # that is down now has been down for `janus.lost_after` (then its rooms move).
        due = reconciler.next_loss_in()
        try:
            async with asyncio.timeout(interval if due is None else min(interval, due + 0.05)):
                await changed.wait()
        except TimeoutError:
            continue
        await asyncio.sleep(0.05)  # several servers lost at once: one round for all


async def room_reconciler(app: web.Application) -> AsyncIterator[None]:
    interval = app[SETTINGS].live.reconcile_interval
    if not interval:
        yield  # turned off (tests call run_once themselves)
        return
    task = asyncio.create_task(
        _reconcile_forever(Reconciler(app[DB_POOL], app[JANUS]), interval), name="room-reconciler"
    )
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
