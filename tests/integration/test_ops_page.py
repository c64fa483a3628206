"""The operations page and the operator role (README, "Operations page")."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import asyncpg
from aiohttp import ClientSession, CookieJar

from app import provision
from app.build_info import build_info
from tests.accounts import sign_up
from tests.candidate_support import make_event


async def test_only_operators_see_servers_live_events_and_the_outbox(app_server, settings, base_url, db):
    live = await make_event(db, state="live", starts_in=-dt.timedelta(minutes=5), title="Lagerdag i Örebro")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        async with http.get(f"{base_url}/ops", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"].startswith("/login")
        account = await sign_up(http, base_url, settings, language="sv")
        async with http.get(f"{base_url}/ops", headers={"Accept": "text/html"}) as response:
            assert response.status == 404  # an employer: no such page
        async with http.get(f"{base_url}/events") as response:
            assert 'href="/ops"' not in await response.text()

        said = await provision.set_operator(db, account["email"].upper(), True)
        assert "is now an operator" in said
        async with http.get(f"{base_url}/ops") as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "no-store"
            page = await response.text()
        assert "<h1>Drift</h1>" in page and 'href="/ops" aria-current="page"' in page
        assert "janus1" in page and "Uppe" in page
        assert "Lagerdag i Örebro" in page and f"#{live['id']}" in page
        assert "ingen intervjuar" in page  # nobody connected to the live event
        assert "Väntar på att skickas" in page
        # What runs: the version and this checkout's commit (app/build_info.py).
        built = build_info()
        assert built.commit != "unknown"  # (a git checkout)
        assert f"version {built.version}, commit {built.commit}" in page
        # With nothing waiting, no age of the oldest ("0 s" read as a mail waiting).
        backlog = int(re.search(r"Väntar på att skickas</dt><dd>(\d+)</dd>", page).group(1))
        oldest = re.search(r"Äldsta som väntar</dt><dd>([^<]*)</dd>", page).group(1)
        assert oldest == "—" if backlog == 0 else oldest.endswith(" s"), (backlog, oldest)

        await provision.set_operator(db, account["email"], False)
        async with http.get(f"{base_url}/ops", headers={"Accept": "text/html"}) as response:
            assert response.status == 404


async def test_provision_lists_live_events_and_refuses_unknown_users(db):
    live = await make_event(db, state="live", starts_in=-dt.timedelta(minutes=5), title="Butiksdag")
    listed = await provision.list_live(db)
    assert f"Event {live['id']}: Butiksdag (" in listed
    assert "0 waiting, 0 away, 0 room(s) in use, 0 of 0 interviewer(s) connected" in listed
    try:
        await provision.set_operator(db, "nobody@example.org", True)
    except provision.ProvisionError as error:
        assert "no user has the e-mail address nobody@example.org" in str(error)
    else:
        raise AssertionError("an unknown user was made an operator")


async def test_operators_cordon_drain_and_make_active_from_the_page(app_server, settings, base_url, db):
    from tests.accounts import csrf_in

    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        account = await sign_up(http, base_url, settings, language="en")
        async with http.get(f"{base_url}/ops") as response:
            assert response.status == 404
        # Not an operator: the form does nothing, and says nothing of the fleet.
        async with http.get(f"{base_url}/account") as response:
            token = csrf_in(await response.text())
        async with http.post(
            f"{base_url}/ops/janus",
            data={"csrf_token": token, "server": "janus1", "action": "cordon"},
            headers={"Accept": "text/html"},
        ) as response:
            assert response.status == 404
        assert await db.fetchval("SELECT state FROM janus_server WHERE name = 'janus1'") == "active"

        await provision.set_operator(db, account["email"], True)
        try:
            async with http.get(f"{base_url}/ops") as response:
                page = await response.text()
            assert "Active" in page and 'value="cordon"' in page and 'value="drain"' in page
            token = csrf_in(page)
            async with http.post(
                f"{base_url}/ops/janus", data={"server": "janus1", "action": "cordon"}
            ) as response:
                assert response.status == 403  # no CSRF token: refused, nothing changed
            assert await db.fetchval("SELECT state FROM janus_server WHERE name = 'janus1'") == "active"
            for action, state, said in (
                ("cordon", "cordoned", "janus1 is cordoned: it gets no new rooms."),
                ("drain", "draining", "janus1 is draining"),
                ("uncordon", "active", "janus1 is active: it gets new rooms again."),
            ):
                async with http.post(
                    f"{base_url}/ops/janus", data={"csrf_token": token, "server": "janus1", "action": action}
                ) as response:
                    assert response.status == 200
                    page = await response.text()
                assert said in page
                assert await db.fetchval("SELECT state FROM janus_server WHERE name = 'janus1'") == state
            async with http.get(f"{base_url}/ops?fleet=drain&server=janus1") as response:
                page = await response.text()
            # Draining with no room in use.
            await db.execute("UPDATE janus_server SET state = 'draining' WHERE name = 'janus1'")
            async with http.get(f"{base_url}/ops") as response:
                page = await response.text()
            if (
                await db.fetchval(
                    "SELECT count(*) FROM interview WHERE janus_server = 'janus1' "
                    "AND state IN ('offered', 'active')"
                )
                == 0
            ):
                assert "Empty: safe to stop" in page
            for data, said in (
                ({"server": "nowhere", "action": "drain"}, "that server is no longer in the fleet"),
                ({"server": "janus1", "action": "explode"}, "choose a server and an action"),
                # A control character PostgreSQL would refuse outright (a 500 before).
                ({"server": "jan\x00us1", "action": "drain"}, "choose a server and an action"),
            ):
                async with http.post(f"{base_url}/ops/janus", data=dict(data, csrf_token=token)) as response:
                    assert response.status == 200
                    assert said in await response.text()
            async with http.get(f"{base_url}/ops?fleet=cordon&server=<b>x</b>") as response:
                page = await response.text()
            # The query's text is never repeated, nor taken for a server that was cordoned
            # (the page may still say that no server takes new interviews: janus1 drains).
            assert "<b>x</b>" not in page and "is cordoned: it gets no new rooms" not in page
        finally:
            await db.execute("UPDATE janus_server SET state = 'active' WHERE name = 'janus1'")


async def test_operators_set_a_servers_weight_from_the_page(app_server, settings, base_url, db):
    """The weight form: a whole number from 1 to 1000 is saved (as scripts/janus weight
    does); anything else changes nothing and says why, in the operator's language."""
    from tests.accounts import csrf_in

    async def weight() -> int:
        return await db.fetchval("SELECT weight FROM janus_server WHERE name = 'janus1'")

    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        account = await sign_up(http, base_url, settings, language="sv")
        async with http.get(f"{base_url}/account") as response:
            token = csrf_in(await response.text())
        # Not an operator: no such form, nothing changed.
        async with http.post(
            f"{base_url}/ops/janus/weight",
            data={"csrf_token": token, "server": "janus1", "weight": "5"},
            headers={"Accept": "text/html"},
        ) as response:
            assert response.status == 404
        assert await weight() == 1

        await provision.set_operator(db, account["email"], True)
        try:
            async with http.get(f"{base_url}/ops") as response:
                page = await response.text()
            assert 'action="/ops/janus/weight"' in page and 'name="weight"' in page
            assert ">Vikt för janus1</label>" in page
            token = csrf_in(page)
            async with http.post(
                f"{base_url}/ops/janus/weight", data={"server": "janus1", "weight": "5"}
            ) as response:
                assert response.status == 403  # no CSRF token
            assert await weight() == 1

            async with http.post(
                f"{base_url}/ops/janus/weight",
                data={"csrf_token": token, "server": "janus1", "weight": " 7 "},
            ) as response:
                assert response.status == 200 and str(response.url).endswith("fleet=weight&server=janus1")
                page = await response.text()
            assert "Vikten för janus1 är nu 7." in page and 'value="7"' in page
            assert await weight() == 7

            for bad in ("0", "1001", "2.5", "-3", "1e3", "abc", "", "٣", "1_0", "99999999999999999999"):
                async with http.post(
                    f"{base_url}/ops/janus/weight",
                    data={"csrf_token": token, "server": "janus1", "weight": bad},
                ) as response:
                    assert response.status == 200, bad
                    page = await response.text()
                assert (
                    "Inget ändrades: vikten för janus1 måste vara ett heltal från 1 till 1\u00a0000. "
                    "Den är fortfarande 7." in page
                ), bad
                assert 'aria-invalid="true" aria-describedby="fleet-notice"' in page
                assert await weight() == 7, bad
            async with http.post(
                f"{base_url}/ops/janus/weight",
                data={"csrf_token": token, "server": "nowhere", "weight": "3"},
            ) as response:
                assert "den servern finns inte längre med" in await response.text()
            for data in (
                {"csrf_token": token, "weight": "3"},
                {"csrf_token": token, "server": "j\x00", "weight": "3"},
            ):
                async with http.post(f"{base_url}/ops/janus/weight", data=data) as response:
                    assert "välj en server och en åtgärd" in await response.text()
            assert await weight() == 7

            async with http.get(f"{base_url}/lang/en?next=/ops"):
                pass
            async with http.post(
                f"{base_url}/ops/janus/weight",
                data={"csrf_token": token, "server": "janus1", "weight": "1001"},
            ) as response:
                page = await response.text()
            assert (
                "Nothing was changed: the weight of janus1 must be a whole number from 1 to 1,000. "
                "It is still 7." in page
            )
        finally:
            await db.execute("UPDATE janus_server SET weight = 1 WHERE name = 'janus1'")


async def test_a_server_down_says_why_and_interviews_without_video_are_counted_in_the_readers_language(
    app_server, settings, base_url, db
):
    """A server nothing answers at: "Down (not answering)", in the page's language, never an
    exception's name (the Swedish page said "Nere (unreachable: JanusUnavailable)"). An
    interview whose room there was lost shows as without video: in all, by server, by event."""
    from app.janus import fleet
    from app.janus.errors import NOT_ANSWERING
    from app.keys import JANUS
    from app.localstack.processes import free_port
    from tests.integration.failover_support import until
    from tests.integration.live_support import end_media_down_interview, media_down_interview

    closed = f"ws://127.0.0.1:{free_port()}"
    server = fleet.checked_server("nowhere", closed, f"ws://127.0.0.1:{free_port()}/admin", closed)
    await fleet.add(db, server, state="cordoned")  # cordoned: no test's room goes there
    event_id, interview = await media_down_interview(db, "nowhere", "Paus i Piteå")
    try:

        async def not_answering() -> bool:
            connection = app_server[JANUS].connections.get("nowhere")
            return connection is not None and connection.problem == NOT_ANSWERING

        await until(not_answering, seconds=30)
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
            account = await sign_up(http, base_url, settings, language="sv")
            await provision.set_operator(db, account["email"], True)
            async with http.get(f"{base_url}/ops") as response:
                swedish = await response.text()
            async with http.get(f"{base_url}/lang/en?next=/ops") as response:
                english = await response.text()
        for page in (swedish, english):
            assert "JanusUnavailable" not in page and "unreachable" not in page
        row = re.search(r'<tr data-server="nowhere">.*?</tr>', swedish, re.S).group(0)
        assert re.search(r"Nere</span> <span class=\"hint\">\(svarar inte\)</span>", row), row
        assert re.search(r'class="media-down"><strong class="state-problem">1</strong>', row), row
        row = re.search(r'<tr data-server="nowhere">.*?</tr>', english, re.S).group(0)
        assert 'Down</span> <span class="hint">(not answering)</span>' in row, row
        assert "1 interview has no video now" in english  # at least this one: others may run
        assert "Without video" in english and "Utan video" in swedish
        event_row = re.search(r"<tr[^>]*>\s*<th[^>]*>Paus i Piteå.*?</tr>", english, re.S).group(0)
        assert 'class="needs-attention"' in event_row
        assert re.search(r'class="media-down"><strong class="state-problem">1</strong>', event_row)
        assert "Kandidat" not in english  # nothing about a candidate
        listed = await provision.list_live(db)
        assert "; 1 interview(s) without video" in next(
            line for line in listed.splitlines() if line.startswith(f"Event {event_id}:")
        )
    finally:
        await end_media_down_interview(db, event_id, interview)
        await fleet.remove(db, "nowhere")


async def test_the_database_section_says_a_long_transaction_and_a_lock_wait(
    app_server, settings, base_url, db
):
    """What stalls a live event first: a transaction left open, and sessions queued behind
    its lock. The page says both, with the connections in use (in Swedish too:
    tests/browser/test_ops_page_ui.py)."""
    organization = await db.fetchval("INSERT INTO organization (name) VALUES ('Låsbolaget') RETURNING id")
    dsn = settings.database.url.get_secret_value()
    holder, waiter = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
            account = await sign_up(http, base_url, settings, language="en")
            await provision.set_operator(db, account["email"], True)
            page = await _page(http, f"{base_url}/ops")
            assert '<h2 id="ops-database">Database (PostgreSQL)</h2>' in page
            assert re.search(r'id="db-connections">\d+ of at most \d+', page)
            assert re.search(r'id="db-lock-waits">0<', page)

            holding = holder.transaction()
            await holding.start()
            await holder.execute("SELECT 1 FROM organization WHERE id = $1 FOR UPDATE", organization)
            blocked = asyncio.create_task(
                waiter.execute("UPDATE organization SET name = name WHERE id = $1", organization)
            )
            await asyncio.sleep(2.5)
            page = await _page(http, f"{base_url}/ops")
            longest = int(re.search(r'id="db-longest">(\d+) s<', page).group(1))
            assert longest >= 2
            assert int(re.search(r'id="db-lock-waits">(\d+)<', page).group(1)) >= 1
            await holding.rollback()
            await blocked
            page = await _page(http, f"{base_url}/ops")
            assert re.search(r'id="db-lock-waits">0<', page)
    finally:
        await holder.close()
        await waiter.close()


async def _page(http: ClientSession, url: str) -> str:
    async with http.get(url) as response:
        assert response.status == 200
        return await response.text()
