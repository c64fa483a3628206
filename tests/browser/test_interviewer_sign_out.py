"""An interviewer let in with the code signs out of the meeting web on this device (a shared
or borrowed computer): the device keeps the code for weeks otherwise."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import make_meeting_event, open_meeting


@pytest.mark.parametrize(
    ("language", "button", "notice"),
    [
        ("sv", "Logga ut på den här enheten", "Du har loggat ut från möteswebben på den här enheten."),
        ("en", "Sign out on this device", "You have signed out of the meeting web on this device."),
    ],
)
async def test_signed_out_the_link_asks_for_the_code_again(new_page, base_url, db, language, button, notice):
    _event, (token,), _candidates = await make_meeting_event(db, candidates=0)
    page = await new_page(extra_http_headers={"Accept-Language": language})
    await open_meeting(page, token)
    await page.get_by_role("button", name=button).click()
    await page.locator("#signed-out-here").get_by_text(notice).wait_for()
    assert await page.locator("#code").is_visible()
    await assert_accessible(page)
    # Said once: the address no longer carries it, and the link still asks for the code.
    await page.wait_for_function("!location.search.includes('left')")
    await page.reload()
    assert await page.locator("#code").is_visible()
    assert await page.locator("#signed-out-here").count() == 0
    cookies = await page.context.cookies()
    assert not [cookie for cookie in cookies if cookie["name"] == "interviewer_session"]


async def test_the_other_tabs_of_the_meeting_web_leave_with_it(new_page, base_url, db):
    """The cookie is the device's: another tab of the same link, still showing the queue's
    names over its socket, loads the link again too, and is asked for the code."""
    _event, (token,), _candidates = await make_meeting_event(db, candidates=0)
    page = await new_page(extra_http_headers={"Accept-Language": "en"})
    await open_meeting(page, token)
    other = await page.context.new_page()
    await other.goto(f"{base_url}/i/{token}")
    await other.wait_for_selector('#connection[data-status="open"]')
    await page.get_by_role("button", name="Sign out on this device").click()
    await page.locator("#signed-out-here").wait_for()
    await other.locator("#code").wait_for()
    assert await other.locator("#meeting").count() == 0
