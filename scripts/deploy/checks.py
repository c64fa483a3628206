"""What the deploy check does with a running stack, as users and operators would, through
nginx over TLS: health, a whole event in Chromium with failures injected, TURN relays."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import ssl
import subprocess
import time

import aiohttp
import asyncpg
from aiohttp.abc import AbstractResolver

from scripts.deploy import browser as b
from scripts.deploy.stack import HOST, HTTPS_PORT, Stack, arun, source_commit
from tests.browser.interviewer_support import make_meeting_event
from tests.candidate_support import link_and_pin
from tests.accounts import PASSWORD, make_user
from tests.forms import CSRF_FIELD
from tests.mails import wait_for_mail


class ToLoopback(AbstractResolver):
    """HOST is 127.0.0.1, as DNS would say for a real host name."""

    async def resolve(self, host, port=0, family=0):
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": 2, "proto": 0, "flags": 0}]

    async def close(self) -> None:
        pass


def client(stack: Stack) -> aiohttp.ClientSession:
    trust = ssl.create_default_context(cafile=str(stack.ca_file))  # the test CA only
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trust, resolver=ToLoopback()))


async def wait_ready(stack: Stack, timeout: float = 240) -> str:
    """Until /readyz answers 200 through nginx over TLS (certificate checked)."""
    started = time.monotonic()
    last = "no answer"
    async with client(stack) as http:
        while time.monotonic() - started < timeout:
            try:
                async with http.get(f"{stack.url}/readyz") as response:
                    if response.status == 200:
                        return f"ready after {time.monotonic() - started:.0f} s"
                    last = f"{response.status} {await response.text()}"
            except (aiohttp.ClientError, OSError) as error:
                last = type(error).__name__
            await asyncio.sleep(1)
    raise AssertionError(f"/readyz through nginx: {last}")


async def container_healthy(stack: Stack, service: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await arun("podman", "healthcheck", "run", stack.container(service), check=False)
        if result.returncode == 0:
            return
        await asyncio.sleep(2)
    raise AssertionError(f"{service} not healthy within {timeout} s")


async def health(stack: Stack) -> str:
    async with client(stack) as http:
        for path, status in (("/livez", 200), ("/readyz", 200), ("/healthz", 404), ("/janus/events", 404)):
            async with http.get(f"{stack.url}{path}") as response:
                assert response.status == status, f"{path}: {response.status}"
        async with http.get(f"http://{HOST}:18080/x?y=1", allow_redirects=False) as response:
            assert response.status == 301
            assert response.headers["Location"] == f"https://{HOST}/x?y=1"
        # An ACME HTTP-01 token that certbot --webroot wrote, served as it is on port 80.
        challenge = stack.work / "acme" / ".well-known" / "acme-challenge"
        challenge.mkdir(parents=True, exist_ok=True)
        (challenge / "check-token").write_text("check-token.key-authorization")
        async with http.get(
            f"http://{HOST}:18080/.well-known/acme-challenge/check-token", allow_redirects=False
        ) as response:
            assert response.status == 200, response.status
            assert await response.text() == "check-token.key-authorization"
        # Each Janus's WebSocket API through nginx (what browsers use): `info` answers.
        for name in ("janus1", "janus2"):
            async with http.ws_connect(
                f"wss://{HOST}:{HTTPS_PORT}/{name}", protocols=("janus-protocol",)
            ) as ws:
                await ws.send_json({"janus": "info", "transaction": "check"})
                reply = await ws.receive_json(timeout=10)
                assert reply["janus"] == "server_info", reply
    for service in ("postgres", "janus1", "janus2", "app1", "app2"):
        await container_healthy(stack, service)
    # The detail for ops staff, asked inside the replica (nginx does not serve it): on the
    # health port, answered off the main loop, and on the app's own port, the same answer.
    for port in (8090, 8080):
        detail = await arun(
            "podman",
            "exec",
            stack.container("app1"),
            "python3",
            "-c",
            "import urllib.request; print(urllib.request.urlopen("
            f"'http://127.0.0.1:{port}/healthz').read().decode())",
        )
        status = json.loads(detail.stdout)
        assert status["janus"] == {"janus1": "ok", "janus2": "ok"}, (port, status)
        assert status["main_loop"] == "ok", (port, status)
    # The replica says what it runs: the commit its image was built from.
    logs = await arun("podman", "logs", stack.container("app1"))
    said = re.compile(rf"Snabbintervjuer [0-9][^ ]*, commit {source_commit()[:12]}\b")
    assert said.search(logs.stdout + logs.stderr), f"no {said.pattern!r} in app1's log"
    return (
        "livez, readyz 200; healthz hidden, answered on the health port and the app's; "
        "http→https, an ACME token on http; Janus WebSockets; 5 containers healthy; "
        "the replica names its commit"
    )


async def database(stack: Stack) -> asyncpg.Connection:
    return await asyncpg.connect(
        host="127.0.0.1",
        port=int(stack.env["CHECK_DB_PORT"]),
        user="snabb",
        password=stack.env["POSTGRES_PASSWORD"],
        database="snabbintervjuer",
    )


async def register(
    stack: Stack, browsers: b.Browsers, invite: str, name: str, email: str, language: str
) -> b.Tracked:
    """Through the invite link; the personal link and PIN from the mail the SMTP catcher
    got; the PIN typed in."""
    tracked = await browsers.page(name, language)
    page = tracked.page
    await page.goto(f"/r/{invite}")
    await page.fill("#name", name)
    await page.fill("#email", email)
    await page.check("#consent")
    await page.locator("#email").press("Enter")
    [mail] = await wait_for_mail(stack.maildir, email, 1, timeout=60)
    link, pin = link_and_pin(mail)
    assert link.startswith(stack.url), link
    await b.open_candidate(tracked, link, pin)
    await tracked.page.locator("[data-checkin]").click()
    await b.phase(tracked, "waiting")
    return tracked


async def queue_place(db: asyncpg.Connection, email: str) -> tuple:
    """A waiting candidate's place: the queue entry's state and the time it is ordered by."""
    row = await db.fetchrow(
        """
        SELECT q.state, q.queued_at FROM queue_entry q JOIN candidate c ON c.id = q.candidate_id
        WHERE c.email = $1""",
        email,
    )
    assert row is not None and row["state"] == "waiting", row
    return tuple(row)


async def reconnect_all(pages: list[b.Tracked], act, may_hold_none: bool = False) -> str | None:
    """Run `act` (a replica going away), then wait until every page has a live socket again
    that got its state; how many pages had to reconnect, and the slowest one's seconds
    (None if the replica held no page's socket and `may_hold_none`)."""
    moment = time.monotonic()
    await act()
    await asyncio.sleep(1)  # the sockets' close reaches the pages
    waits = [
        w for w in await asyncio.gather(*(p.connected_since(moment, 60) for p in pages)) if w is not None
    ]
    if not waits and may_hold_none:
        return None
    assert waits, "no page was connected to the replica that went"
    return f"{len(waits)} of {len(pages)} pages reconnected within {max(waits):.1f} s"


async def whole_event(stack: Stack, browsers: b.Browsers, timings: dict) -> str:
    db = await database(stack)
    try:
        event, interviewer_tokens, _ = await make_meeting_event(db, interviewers=2, candidates=0)
        invite = f"check-{event.id}-invite"
        await db.execute(
            "UPDATE event SET invite_token = $2, invite_open = true WHERE id = $1", event.id, invite
        )
        interviewers = []
        for n, token in enumerate(interviewer_tokens):
            tracked = await browsers.page(f"interviewer {n + 1}", ("sv", "en")[n])
            await b.open_meeting(tracked, token)
            interviewers.append(tracked)
        marker = secrets.token_hex(4)  # addresses of this run only
        candidates = [
            await register(
                stack, browsers, invite, f"Kandidat {n + 1}", f"kandidat{n + 1}.{marker}@example.se", language
            )
            for n, language in enumerate(("sv", "en"))
        ]
        for interviewer, candidate in zip(interviewers, candidates):
            await b.start_interview(interviewer, candidate)
        # A third candidate waits in the queue meanwhile: the replicas going must not cost
        # the place (README "Live event": a dropped connection keeps it).
        waiting_email = f"kandidat3.{marker}@example.se"
        waiting = await register(stack, browsers, invite, "Kandidat 3", waiting_email, "sv")
        place = await queue_place(db, waiting_email)
        everyone = interviewers + candidates + [waiting]
        live = await db.fetch(
            "SELECT id, janus_server FROM interview WHERE event_id = $1 AND state = 'active' ORDER BY id",
            event.id,
        )
        assert len(live) == 2, live

        # nginx sends each socket to a replica at random, so now and then (1 in 32 with five
        # pages) app1 holds none of them: then app2, which holds them all, is the one killed.
        for killed in ("app1", "app2"):

            async def kill(service=killed):
                await arun("podman", "kill", stack.container(service))

            outcome = await reconnect_all(everyone, kill, may_hold_none=killed == "app1")
            await arun("podman", "start", stack.container(killed))
            await container_healthy(stack, killed)
            if outcome is not None:
                timings[f"{killed} killed (SIGKILL)"] = outcome
                break
        # A rolling restart: SIGTERM (drained: sockets closed with 1001), started again. The
        # replica not killed first, which holds every socket now; then the other.
        for service in ("app2", "app1") if killed == "app1" else ("app1", "app2"):

            async def restart(service=service):
                await arun("podman", "stop", "-t", "20", stack.container(service))

            timings[f"{service} stopped (SIGTERM)"] = await reconnect_all(everyone, restart)
            await arun("podman", "start", stack.container(service))
            await container_healthy(stack, service)
        same = await db.fetch(
            "SELECT id, janus_server FROM interview WHERE event_id = $1 AND state = 'active' ORDER BY id",
            event.id,
        )
        assert same == live, "an interview was lost while the replicas went"
        assert await queue_place(db, waiting_email) == place, "the waiting candidate lost the place"
        await b.phase(waiting, "waiting")
        for interviewer, candidate in zip(interviewers, candidates):
            await b.both_see_each_other(interviewer, candidate)

        # One Janus killed mid-interview: the reconciler moves its rooms, pages follow.
        janus = live[0]["janus_server"]
        moved_at = time.monotonic()
        await arun("podman", "kill", stack.container(janus))
        deadline = time.monotonic() + 120
        while await db.fetchval("SELECT janus_server FROM interview WHERE id = $1", live[0]["id"]) == janus:
            assert time.monotonic() < deadline, f"the interview never left {janus}"
            await asyncio.sleep(1)
        await b.both_see_each_other(interviewers[0], candidates[0], timeout=60000)
        timings[f"{janus} killed"] = (
            f"both sides in a room on the other Janus, video again after {time.monotonic() - moved_at:.0f} s"
        )
        await arun("podman", "start", stack.container(janus))

        for n, (interviewer, candidate) in enumerate(zip(interviewers, candidates)):
            await b.finish_interview(interviewer, candidate, interested=n == 0)
        answers = await db.fetch(
            """
            SELECT f.interested FROM interview i JOIN interview_feedback f
                   ON f.interview_id = i.id WHERE i.event_id = $1 ORDER BY i.id""",
            event.id,
        )
        assert [a["interested"] for a in answers] == [True, False], answers
        # Janus's event handler reaches the application through the deployment's wiring
        # (janus_server.event_backend_url): without its media times the summary cannot tell
        # how long a call the time box ended lasted (app/summary/lengths.py).
        media = await db.fetch(
            """
            SELECT candidate_media_started_at, interviewer_media_started_at FROM interview
            WHERE event_id = $1 AND state = 'ended'""",
            event.id,
        )
        assert len(media) == 2 and all(row[0] and row[1] for row in media), (
            f"Janus's media events did not reach the application: {media}"
        )
        return await summary_pdf(stack, db, event.id)
    finally:
        await db.close()


async def summary_pdf(stack: Stack, db, event_id: int) -> str:
    """The employer's summary as a PDF, through nginx, with the candidates in it."""
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event_id)
    user = await make_user(db, organization_id=organization, language="en")
    async with client(stack) as http:
        async with http.get(f"{stack.url}/login") as response:
            csrf = CSRF_FIELD.search(await response.text())[1]
        async with http.post(
            f"{stack.url}/login",
            allow_redirects=False,
            data={"email": user["email"], "password": PASSWORD, "csrf_token": csrf},
        ) as response:
            assert response.status == 303, response.status
        async with http.get(f"{stack.url}/events/{event_id}/summary.pdf") as response:
            assert response.status == 200, response.status
            pdf = await response.read()
    assert pdf.startswith(b"%PDF")
    text = (
        await asyncio.to_thread(
            subprocess.run, ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        )
    ).stdout.decode()
    assert "Kandidat 1" in text and "Kandidat 2" in text, text[:500]
    return (
        "2 interviewers, 3 candidates by mail and PIN (one waiting keeps the place), video "
        "both ways, answers, summary PDF"
    )


async def relay_call(stack: Stack, browsers: b.Browsers, only: str, protocol: str) -> str:
    """An interview whose browsers may use TURN relays only, through coturn's `only` URLs."""
    db = await database(stack)
    try:
        _event, (interviewer_token,), (candidate_token,) = await make_meeting_event(
            db, interviewers=1, candidates=1
        )
        interviewer = await browsers.page(f"relay interviewer {protocol}", relay_only=only)
        candidate = await browsers.page(f"relay candidate {protocol}", relay_only=only)
        await b.open_meeting(interviewer, interviewer_token)
        await b.open_candidate(candidate, f"{stack.url}/c/{candidate_token}")
        await candidate.page.locator("[data-checkin]").click()
        await b.phase(candidate, "waiting")
        await b.start_interview(interviewer, candidate)
        pairs = await b.selected_pairs(interviewer) + await b.selected_pairs(candidate)
        assert pairs and all(p["type"] == "relay" and p["relayProtocol"] == protocol for p in pairs), pairs
        await b.finish_interview(interviewer, candidate, interested=True)
        return f"video both ways through coturn ({len(pairs)} relayed connections, {protocol})"
    finally:
        await db.close()
