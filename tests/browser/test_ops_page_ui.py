"""The operations page passes axe-core's WCAG 2.1 A/AA rules, sv/en, desktop/phone, with a
live event nobody interviews at (the row that needs attention)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar

from app import provision
from tests.accounts import sign_up
from tests.browser.axe import VIEWPORTS, axe_violations
from tests.candidate_support import make_event

SHOTS = Path("/tmp/shots-ops")
pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_operations_page_meets_wcag_aa(new_page, db, settings, base_url, language,
                                                  viewport):
    await make_event(db, state="live", starts_in=-dt.timedelta(minutes=5),
                     title="Sommarjobb på Åland")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        account = await sign_up(http, base_url, settings, language=language)
    await provision.set_operator(db, account["email"], True)
    page = await new_page(viewport=VIEWPORTS[viewport],
                          extra_http_headers={"Accept-Language": language})
    await page.goto("/login")
    await page.fill("#email", account["email"])
    await page.fill("#password", account["password"])
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url("**/events")
    await page.locator("a[href='/ops']").click()
    await page.wait_for_url("**/ops")
    assert await page.get_attribute("html", "lang") == language
    assert await page.locator("tr.needs-attention").count() >= 1
    assert await axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"ops-{language}-{viewport}.png"), full_page=True)
