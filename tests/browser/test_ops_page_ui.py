"""The operations page passes axe-core's WCAG 2.1 A/AA rules, sv/en, desktop/phone, with a
live event nobody interviews at (the row that needs attention), and with the Janus fleet's
servers cordoned, draining and lost."""

from __future__ import annotations

import asyncio
import re
import datetime as dt
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar

from app import provision
from app.janus import fleet
from app.localstack.processes import free_port
from app.settings import JanusServer
from tests.accounts import sign_up
from tests.browser.axe import VIEWPORTS, axe_violations
from tests.candidate_support import make_event

SHOTS = Path("/tmp/shots-ops")
pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_operations_page_meets_wcag_aa(new_page, db, settings, base_url, language, viewport):
    await make_event(db, state="live", starts_in=-dt.timedelta(minutes=5), title="Sommarjobb på Åland")
    page = await _sign_in_operator(new_page, db, settings, base_url, language, viewport)
    await page.locator("a[href='/ops']").click()
    await page.wait_for_url("**/ops")
    assert await page.get_attribute("html", "lang") == language
    assert await page.locator("tr.needs-attention").count() >= 1
    database = {"sv": "Databas (PostgreSQL)", "en": "Database (PostgreSQL)"}[language]
    assert await page.get_by_role("heading", name=database).is_visible()
    assert await axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"ops-{language}-{viewport}.png"), full_page=True)
    # At 200 % and 400 % zoom of a 1280-px screen: no sideways scrolling (WCAG 1.4.10).
    for width in (640, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        assert await page.evaluate("document.documentElement.scrollWidth") <= width, width
        await page.screenshot(path=str(SHOTS / f"ops-{language}-{width}px.png"), full_page=True)


async def _sign_in_operator(new_page, db, settings, base_url, language, viewport):
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        account = await sign_up(http, base_url, settings, language=language)
    await provision.set_operator(db, account["email"], True)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await page.goto("/login")
    await page.fill("#email", account["email"])
    await page.fill("#password", account["password"])
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url("**/events")
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_operators_cordon_and_drain_janus_servers_from_the_page(
    new_page, app_server, db, settings, base_url, language, viewport
):
    """The fleet's servers with their states, one of them lost, and the buttons that cordon,
    drain and make active, used from the keyboard; axe-clean in every state."""
    texts = {
        "sv": ("Spärrad", "Töms", "Tom: kan stängas av", "Nere", "Aktiv"),
        "en": ("Cordoned", "Draining", "Empty: safe to stop", "Down", "Active"),
    }[language]
    cordoned, draining, empty, down, active = texts
    spare = JanusServer(
        name="spare",
        url=f"ws://127.0.0.1:{free_port()}",
        admin_url=f"ws://127.0.0.1:{free_port()}",
        public_url="wss://spare.example.org/janus",
    )
    await fleet.add(db, spare)  # nothing answers there: the replicas find it lost
    try:
        page = await _sign_in_operator(new_page, db, settings, base_url, language, viewport)
        await page.goto("/ops")
        spare_row = page.locator("tr[data-server='spare']")
        for _ in range(150):  # the replica records a lost server within janus.fleet_refresh
            if down in await spare_row.locator(".fleet-state").inner_text():
                break
            await asyncio.sleep(0.2)
            await page.reload()
        assert down in await spare_row.locator(".fleet-state").inner_text()

        janus1 = page.locator("tr[data-server='janus1']")
        assert active in await janus1.locator(".fleet-state").inner_text()
        no_active = page.locator("#no-active-server")
        assert await no_active.count() == 0
        cordon = janus1.locator("button[value='cordon']")
        await cordon.focus()
        async with page.expect_navigation(url="**/ops?fleet=cordon&server=janus1*"):
            await page.keyboard.press("Enter")
        assert "janus1" in await page.locator("#fleet-notice").inner_text()
        assert cordoned in await janus1.locator(".fleet-state").inner_text()
        assert await db.fetchval("SELECT state FROM janus_server WHERE name = 'janus1'") == "cordoned"
        # The other server is down: none takes new interviews, and the page says so first.
        said = {
            "sv": "Ingen mediaserver tar emot nya intervjuer nu",
            "en": "No media server takes new interviews now",
        }
        assert said[language] in await no_active.inner_text()
        assert await axe_violations(page) == []

        async with page.expect_navigation(url="**/ops?fleet=drain&server=spare*"):
            await spare_row.locator("button[value='drain']").click()
        state = await spare_row.locator(".fleet-state").inner_text()
        assert draining.lower() in state.lower() and empty in state and down in state
        assert await axe_violations(page) == []
        SHOTS.mkdir(exist_ok=True)
        await page.locator("#ops-servers").scroll_into_view_if_needed()
        await page.screenshot(path=str(SHOTS / f"ops-fleet-{language}-{viewport}.png"), full_page=True)

        async with page.expect_navigation(url="**/ops?fleet=uncordon&server=janus1*"):
            await janus1.locator("button[value='uncordon']").click()
        assert active in await janus1.locator(".fleet-state").inner_text()
        assert await db.fetchval("SELECT state FROM janus_server WHERE name = 'janus1'") == "active"
        assert await no_active.count() == 0
    finally:
        await db.execute("UPDATE janus_server SET state = 'active' WHERE name = 'janus1'")
        await fleet.remove(db, "spare")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_operators_set_a_servers_weight_from_the_page(
    new_page, app_server, db, settings, base_url, language, viewport
):
    """The weight form of a server, used from the keyboard: a bad number is refused with
    the reason and changes nothing, a good one is saved; and a server that one of two web
    servers cannot reach says so. Axe-clean in every state."""
    label, refused, saved, partly = {
        "sv": (
            "Vikt för janus1",
            "Inget ändrades: vikten för janus1 måste vara ett heltal från 1 till 1\u00a0000. Den är fortfarande 1.",
            "Vikten för janus1 är nu 3.",
            "Nere för 1 av 2 webbservrar",
        ),
        "en": (
            "Weight of janus1",
            "Nothing was changed: the weight of janus1 must be a whole number from 1 to 1,000. It is still 1.",
            "The weight of janus1 is now 3.",
            "Down for 1 of 2 web servers",
        ),
    }[language]
    # Another web server that cannot reach janus1 (its report: the session's application
    # reports janus1 up itself).
    elsewhere = fleet.Replica.this_process()
    await fleet.record_health(db, elsewhere, [], {"janus1": dt.datetime.now(dt.UTC)}, valid_for=300)
    try:
        page = await _sign_in_operator(new_page, db, settings, base_url, language, viewport)
        await page.goto("/ops")
        janus1 = page.locator("tr[data-server='janus1']")
        assert partly in await janus1.locator(".fleet-state").inner_text()

        weight = page.get_by_label(label, exact=True)
        await weight.fill("0")
        async with page.expect_navigation(url="**/ops?fleet=bad_weight&server=janus1*"):
            await weight.press("Enter")
        assert await page.locator("#fleet-notice").inner_text() == refused
        weight = page.get_by_label(label, exact=True)
        assert await weight.get_attribute("aria-invalid") == "true"
        assert await weight.input_value() == "1"
        assert await db.fetchval("SELECT weight FROM janus_server WHERE name = 'janus1'") == 1
        assert await axe_violations(page) == []
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(
            path=str(SHOTS / f"ops-weight-refused-{language}-{viewport}.png"), full_page=True
        )

        await weight.fill("3")
        async with page.expect_navigation(url="**/ops?fleet=weight&server=janus1*"):
            await weight.press("Enter")
        assert await page.locator("#fleet-notice").inner_text() == saved
        assert await page.get_by_label(label, exact=True).input_value() == "3"
        assert await db.fetchval("SELECT weight FROM janus_server WHERE name = 'janus1'") == 3
        assert await axe_violations(page) == []
        await page.screenshot(path=str(SHOTS / f"ops-weight-saved-{language}-{viewport}.png"), full_page=True)
    finally:
        await db.execute("UPDATE janus_server SET weight = 1 WHERE name = 'janus1'")
        await fleet.forget_health(db, elsewhere)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_server_down_and_interviews_without_video_are_said_in_the_readers_language(
    new_page, app_server, db, settings, base_url, language, viewport
):
    """A server nothing answers at, with an interview whose room there was lost: the page
    says why the server is down in its own language (not "unreachable: JanusUnavailable"),
    and how many interviews are without video, in all, on that server and at that event.
    Axe-clean."""
    from tests.integration.live_support import end_media_down_interview, media_down_interview

    # (The notice counts every event's: another test's may be without video too.)
    why, notice, column = {
        "sv": ("Nere (svarar inte)", r"^(\d+) intervju(?:er)? saknar video just nu", "Utan video"),
        "en": ("Down (not answering)", r"^(\d+) interviews? ha(?:s|ve) no video now", "Without video"),
    }[language]
    gone = JanusServer(
        name="gone",
        url=f"ws://127.0.0.1:{free_port()}",
        admin_url=f"ws://127.0.0.1:{free_port()}",
        public_url="wss://gone.example.org/janus",
    )
    await fleet.add(db, gone, state="cordoned")  # cordoned: no other test's room goes there
    event_id, interview = await media_down_interview(db, "gone", "Höstrekrytering i Luleå")
    try:
        page = await _sign_in_operator(new_page, db, settings, base_url, language, viewport)
        await page.goto("/ops")
        gone_row = page.locator("tr[data-server='gone']")
        for _ in range(150):  # this replica's connection fails its first try within seconds
            if why in " ".join((await gone_row.locator("td").all_inner_texts())):
                break
            await asyncio.sleep(0.2)
            await page.reload()
        cells = " ".join(await gone_row.locator("td").all_inner_texts())
        assert why in cells and "Janus" not in cells and "unreachable" not in cells, cells
        assert await gone_row.locator("td.media-down").inner_text() == "1"
        told = re.match(notice, (await page.locator("#media-down").inner_text()).strip())
        assert told and int(told[1]) >= 1
        event_row = page.locator("tr.needs-attention", has_text="Höstrekrytering i Luleå")
        assert await event_row.locator("td.media-down").inner_text() == "1"
        assert await page.locator("th", has_text=column).count() == 2
        assert await axe_violations(page) == []
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"ops-media-down-{language}-{viewport}.png"), full_page=True)
    finally:
        await end_media_down_interview(db, event_id, interview)
        await fleet.remove(db, "gone")
