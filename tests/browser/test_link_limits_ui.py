"""The limits on guessing as people see them, in both languages: a PIN page whose device must
wait, a link closed to new devices, a paused log-in, and the organizer's event page with a
locked candidate and interviewer link and the buttons to open them. axe-core's WCAG 2.1
A/AA rules on each; screenshots in /tmp/shots-lockouts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.auth.ratelimit import account_secret
from tests.accounts import PASSWORD, make_user
from tests.browser.axe import assert_accessible
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-lockouts")


async def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def lock(db, scope: str, subject, *, closed: bool) -> None:
    """Straight in the database: closed (100 in a row), or the hourly cap just reached."""
    await db.execute(
        """
        INSERT INTO guess_secret (scope, subject, in_a_row, recent)
        VALUES ($1, $2, $3, CASE WHEN $4 THEN '{}'::timestamptz[]
                                 ELSE array_fill(now(), ARRAY[10]) END)
        ON CONFLICT (scope, subject) DO UPDATE SET in_a_row = $3, recent = EXCLUDED.recent""",
        scope,
        str(subject),
        100 if closed else 10,
        closed,
    )


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_limits_pages_are_accessible_and_say_what_to_do(new_page, db, settings, language):
    live = await make_live_event(db, interviewers=1, candidates=2)
    organization_id = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", live.id)
    employer = await make_user(db, organization_id=organization_id, language=language)
    tokens = {
        row["id"]: row["access_token"]
        for row in await db.fetch("SELECT id, access_token FROM candidate WHERE event_id = $1", live.id)
    }
    waiting, closed = live.candidates
    await lock(db, "pin", waiting, closed=False)
    await lock(db, "pin", closed, closed=True)
    await lock(db, "code", live.interviewers[0], closed=True)
    headers = {"Accept-Language": language}

    page = await new_page(extra_http_headers=headers)
    # The language chosen in this browser, or a candidate's page opens in the candidate's.
    await page.context.add_cookies([{"name": "lang", "value": language, "url": settings.app.public_url}])
    await page.goto(f"/c/{tokens[waiting]}")
    assert "60" in await page.text_content("#pin-locked")
    # The notice in place of the form has the focus: a keyboard or screen reader starts there.
    await page.wait_for_function("document.activeElement.id === 'pin-locked'")
    # The page does not change when the wait is over: a link loads the PIN form again.
    assert await page.get_attribute("#pin-try-again", "href") == f"/c/{tokens[waiting]}"
    await assert_accessible(page)
    await shot(page, f"pin-wait-{language}")
    await page.goto(f"/c/{tokens[closed]}")
    assert await page.locator("#pin-locked").count() == 1
    assert await page.locator("#pin-try-again").count() == 0  # closed: waiting does not help
    await assert_accessible(page)
    await shot(page, f"pin-closed-{language}")
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    await page.goto(f"/i/{interviewer_token}")
    assert await page.locator("#code-locked").count() == 1
    await page.wait_for_function("document.activeElement.id === 'code-locked'")
    await assert_accessible(page)
    await shot(page, f"code-closed-{language}")

    # A log-in that guessing has closed to new browsers (the employer's, from a new one).
    other = await make_user(db, language=language)
    await lock(
        db,
        "password",
        account_secret(settings.app.secret_key.get_secret_value(), other["email"]).subject,
        closed=True,
    )
    await page.goto("/login")
    await page.fill("#email", other["email"])
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Logga in" if language == "sv" else "Log in").click()
    await page.wait_for_selector("#error-summary")
    await assert_accessible(page)
    await shot(page, f"login-closed-{language}")

    # The organizer's event page: every lock shown, Unlock reachable by keyboard.
    organizer = await new_page(extra_http_headers=headers)
    await organizer.goto("/login")
    await organizer.fill("#email", employer["email"])
    await organizer.fill("#password", PASSWORD)
    await organizer.keyboard.press("Enter")
    await organizer.wait_for_url("**/events")
    await organizer.goto(f"/events/{live.id}")
    assert await organizer.locator(".link-lock").count() == 3  # two candidates, one interviewer
    await assert_accessible(organizer)
    await shot(organizer, f"event-locks-{language}")
    unlock = organizer.locator(f"form[action$='/candidates/{closed}/unlock'] button")
    await unlock.focus()
    # (Caught as the redirect arrives: once shown, the notice leaves the address.)
    async with organizer.expect_navigation(url=f"**/events/{live.id}?candidates=unlocked*"):
        await organizer.keyboard.press("Enter")
    assert await organizer.locator(".link-lock").count() == 2
    await shot(organizer, f"event-unlocked-{language}")

    # A new link is asked once more: it takes the old one from whoever is on it now.
    reissue = organizer.locator(f"details:has(form[action$='/candidates/{closed}/reissue'])")
    await reissue.locator("summary").focus()
    await organizer.keyboard.press("Enter")  # opened by keyboard
    confirm = reissue.locator("button[type=submit]")
    await confirm.wait_for()
    assert "PIN" in await reissue.locator("p").inner_text()
    await assert_accessible(organizer)
    await shot(organizer, f"event-reissue-asked-{language}")
    await confirm.focus()
    async with organizer.expect_navigation(url=f"**/events/{live.id}?candidates=reissued*"):
        await organizer.keyboard.press("Enter")
    notice = "Kandidaten har fått" if language == "sv" else "The candidate has a new personal link and PIN"
    await organizer.get_by_text(notice).first.wait_for()
