"""What a dead process held is released within seconds of its heartbeat stopping.

Real processes, killed with SIGKILL (tests/integration/dying_process.py): one that committed
a dispatch and died before making the room, one that claimed a mail and died before sending
it. A living app process (`python -m app`, its sweeper on) sees their heartbeat stop
(app/live/connections.py: STALE_SECONDS) and takes over: the offer gets its room and can be
taken up, the mail is sent. Before, the offer waited for its expiry (a minute) and the mail
for its claim's lease (ten minutes).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from app.janus.rooms import room_exists
from app.keys import JANUS
from app.live import connections
from app.tickets import read_ticket
from scripts.bench.common import ROOT, AppProcess
from tests.integration.channel_support import (
    Recorder,
    new_client,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import assert_invariants, make_live_event
from tests.mails import unique_email, wait_for_mail

# Generous: the bound the code aims at is STALE_SECONDS plus a beat and a sweep (about 10 s);
# a loaded machine may take longer, and without the fix it takes a minute or ten.
WITHIN = 45.0
LOG = Path(tempfile.gettempdir()) / "test-live-dead-process-app.log"


async def dying(environ: dict[str, str], *args: str) -> tuple[asyncio.subprocess.Process, dict]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.dying_process",
        *args,
        cwd=ROOT,
        # An offer that outlasts the take-over (the test settings' 5 s might not).
        env={**environ, "PYTHONPATH": str(ROOT), "SNABB_LIVE_OFFER_SECONDS": "120"},
        stdout=asyncio.subprocess.PIPE,
    )
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    return process, json.loads(line)


async def until(check, seconds: float = WITHIN):
    deadline = time.monotonic() + seconds
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, "not within the bound"
        await asyncio.sleep(0.2)


async def test_an_offer_whose_process_died_before_its_room_gets_one_from_another(
    app_server, stack, settings, db
):
    live = await make_live_event(db, interviewers=1, candidates=2)
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    app = AppProcess(
        {**stack.environ, "SNABB_LIVE_SWEEP_INTERVAL": "0.5", "SNABB_LIVE_OFFER_SECONDS": "120"}, log_path=LOG
    )
    await app.start(60)
    candidate_http, interviewer_http = new_client(), new_client()
    try:
        await sign_in_candidate(candidate_http, app.url, token)
        assert await sign_in_interviewer(interviewer_http, app.url, interviewer_token) == 303
        candidate = Recorder(await candidate_http.ws_connect(f"{app.url}/c/{token}/ws"))
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        lobby = Recorder(await interviewer_http.ws_connect(f"{app.url}/i/{interviewer_token}/ws"))

        process, held = await dying(stack.environ, "dispatch", str(live.interviewers[0]))
        process.kill()
        await process.wait()
        assert held["candidate"] == live.candidates[0]
        # The offer went out at the commit, before the room that never came from there.
        offer = await candidate.wait_for(lambda m: m["type"] == "offer", timeout=30)
        assert offer["interview"] == held["interview"]
        # Meanwhile the interviewer's page shows the offer (with Withdraw), not a refusal.
        await lobby.wait_for(
            lambda m: m["type"] == "state" and m["interview"] and m["interview"]["id"] == held["interview"],
            timeout=30,
        )

        started = time.monotonic()
        room = await until(
            lambda: db.fetchrow(
                """
            SELECT janus_server, room_id, room_maker, state FROM interview
            WHERE id = $1 AND room_id IS NOT NULL""",
                held["interview"],
            )
        )
        taken_over_in = time.monotonic() - started
        assert room["state"] == "offered" and str(room["room_maker"]) != held["process"]
        assert await room_exists(app_server[JANUS].connection(room["janus_server"]), room["room_id"])
        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket", ticket
        assert read_ticket(settings, ticket["ticket"]).room == room["room_id"]
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
        await assert_invariants(db, live.id)
        print(f"room made by another process {taken_over_in:.1f} s after the kill")
        await candidate.close()
        await lobby.close()
    finally:
        await candidate_http.close()
        await interviewer_http.close()
        await app.stop()


async def test_a_roomless_offer_can_be_withdrawn_while_its_process_is_dead(app_server, stack, settings, db):
    """The interviewer need not wait for the take-over: Withdraw works at once, and the
    candidate keeps the place."""
    live = await make_live_event(db, interviewers=1, candidates=2)
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    await db.execute(
        """INSERT INTO queue_entry (event_id, candidate_id)
                        SELECT $1, unnest($2::bigint[])""",
        live.id,
        live.candidates,
    )
    process, held = await dying(stack.environ, "dispatch", str(live.interviewers[0]))
    process.kill()
    await process.wait()
    http = new_client()
    try:
        assert await sign_in_interviewer(http, settings.app.public_url, interviewer_token) == 303
        lobby = Recorder(await http.ws_connect(f"{settings.app.public_url}/i/{interviewer_token}/ws"))
        first = await lobby.wait_for(lambda m: m["type"] == "state", timeout=30)
        assert first["interview"]["state"] == "offered" and first["interview"]["ticket"] is None
        assert (await lobby.request({"ok"}, type="withdraw"))["type"] == "ok"
        entry = await db.fetchrow(
            "SELECT state, missed_count FROM queue_entry WHERE candidate_id = $1", held["candidate"]
        )
        assert (entry["state"], entry["missed_count"]) == ("waiting", 0)
        await assert_invariants(db, live.id)
        await lobby.close()
    finally:
        await http.close()


async def test_a_mail_claimed_by_a_process_that_died_is_sent_within_seconds(app_server, stack, settings, db):
    email = unique_email("claim")
    process, held = await dying(stack.environ, "claim-mail", email)
    process.kill()
    await process.wait()
    mail_id = held["mail"]
    assert mail_id is not None
    lease = await db.fetchval("SELECT next_attempt_at - now() FROM mail_outbox WHERE id = $1", mail_id)
    assert lease.total_seconds() > 500  # claimed for ten minutes
    started = time.monotonic()
    await wait_for_mail(settings.mail.catcher_dir, email, timeout=WITHIN)
    assert time.monotonic() - started < connections.STALE_SECONDS + WITHIN
    # Marked sent once the SMTP server took it: a moment after the catcher wrote the file.
    await until(lambda: db.fetchval("SELECT sent_at IS NOT NULL FROM mail_outbox WHERE id = $1", mail_id))
