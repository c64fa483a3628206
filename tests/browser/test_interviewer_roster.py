"""The registered candidates in the interviewers' lobby at a size where a list in the state
would not do: read page by page over HTTP (GET /i/{token}/roster), searched by name, paged
with the keyboard, and Pick for someone behind the head of the queue the state shows; axe
in both languages at desktop and phone width."""

from __future__ import annotations

import pytest

from tests.browser.axe import VIEWPORTS
from tests.browser.csp import wait_for_function
from tests.browser.interviewer_support import checked_in, look, make_meeting_event, open_meeting

pytestmark = pytest.mark.browser

REGISTERED, WAITING = 60, 40


async def big_event(db):
    """60 registered, the first 40 of them waiting in order (checked in straight in the
    database, a millisecond apart: no socket each)."""
    event, (token,), _ = await make_meeting_event(db, candidates=REGISTERED)
    await db.execute(
        """
        INSERT INTO queue_entry (event_id, candidate_id, checked_in_at, queued_at)
        SELECT $1, id, now() - make_interval(secs => ($3 - n) / 1000.0),
               now() - make_interval(secs => ($3 - n) / 1000.0)
        FROM unnest($2::bigint[]) WITH ORDINALITY AS x(id, n)""",
        event.id,
        event.candidates[:WAITING],
        WAITING,
    )
    return event, token


async def rows(page) -> list[str]:
    return [" ".join(r.split()) for r in await page.locator("#candidates tr").all_inner_texts()]


async def test_search_page_and_pick_from_the_roster(new_page, db):
    event, token = await big_event(db)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 25")
    # The state shows the head of the queue and the counts only. (The list may come before
    # it: the text catalog's arrival reads the list too.)
    await wait_for_function(page, "window.meeting.channel.lastState !== null")
    state = await page.evaluate("window.meeting.channel.lastState")
    assert "candidates" not in state and len(state["queue"]) == 30
    assert state["counts"] == {"registered": 60, "checked_in": 40, "waiting": 40, "talking": 0, "away": 0}
    assert await page.locator("#queue-count").inner_text() == "(40)"
    assert "The first 30 of 40 waiting" in await page.locator("#queue-more").inner_text()
    assert await page.locator("#roster-status").inner_text() == "60 registered candidates."
    assert await page.locator("#roster-page").inner_text() == "Page 1 of 3"
    assert await page.locator("#roster-previous").is_disabled()
    # In name order: "Kandidat 0", "Kandidat 1", "Kandidat 10", …
    first = await rows(page)
    assert first[0].startswith("Kandidat 0 Yes Waiting, number 1")
    assert first[2].startswith("Kandidat 10 ")

    # Paged with the keyboard alone.
    await page.locator("#roster-next").focus()
    await page.keyboard.press("Enter")
    await wait_for_function(page, "document.querySelector('#roster-page').textContent === 'Page 2 of 3'")
    await page.keyboard.press("Enter")
    await wait_for_function(page, "document.querySelector('#roster-page').textContent === 'Page 3 of 3'")
    assert await page.locator("#roster-next").is_disabled()
    assert await page.evaluate("document.activeElement.id") == "roster-page"  # not lost
    assert any("Kandidat 59 No Not checked in" in row for row in await rows(page))

    # Searched by name: each word a part of it, any case (Kandidat 3, 13, 23, 30-39, 43, 53).
    await page.get_by_label("Search by name").fill("kandidat 3")
    await page.keyboard.press("Enter")
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 15")
    assert await page.locator("#roster-status").inner_text() == "15 candidates match “kandidat 3”."
    assert await page.locator("#roster-pages").is_hidden()
    await look(page, "roster-search-en-desktop")
    await page.get_by_label("Search by name").fill("nobody by this name")
    await page.keyboard.press("Enter")
    await wait_for_function(page, "document.querySelector('#roster-status').textContent.startsWith('No ')")
    assert await page.locator("#roster-status").inner_text() == "No candidate matches “nobody by this name”."
    assert await page.locator("#roster-table").is_hidden()
    await page.get_by_label("Search by name").fill("kandidat 3")
    await page.keyboard.press("Enter")
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 15")

    # Pick someone far back in the queue, who is not in the state's head.
    await page.locator("#candidates").get_by_role("button", name="Pick Kandidat 35").click()
    await page.wait_for_selector("#own-offer:not([hidden])")
    assert "Kandidat 35" in await page.locator("#own-offer-text").inner_text()
    taken = await db.fetchval(
        """SELECT c.name FROM interview i JOIN candidate c
                                 ON c.id = i.candidate_id WHERE i.event_id = $1""",
        event.id,
    )
    assert taken == "Kandidat 35"
    # While the own offer is open, Pick is off everywhere.
    await wait_for_function(
        page, "[...document.querySelectorAll('#candidates button')].every((b) => b.disabled)"
    )


async def test_the_roster_endpoint_refuses_bad_input_and_strangers(app_server, base_url, db):
    from tests.integration.channel_support import new_client, sign_in_interviewer

    _event, token = await big_event(db)
    async with new_client() as http:
        async with http.get(f"{base_url}/i/{token}/roster") as response:
            assert response.status == 403  # not signed in
        assert await sign_in_interviewer(http, base_url, token) == 303
        for query in ("page=0", "page=abc", "page=-1", "q=" + "x" * 201, "q=%00"):
            async with http.get(f"{base_url}/i/{token}/roster?{query}") as response:
                assert response.status == 400, query
                assert await response.json() == {"error": "invalid_fields"}
        async with http.get(f"{base_url}/i/{token}/roster?page=99&q=%25") as response:
            body = await response.json()
            assert body["total"] == 0 and body["page"] == 1  # "%" is a letter, not a wildcard
        async with http.get(f"{base_url}/i/{token}/roster?page=9") as response:
            body = await response.json()
            assert body["page"] == 3 and len(body["candidates"]) == 10  # past the end: the last
        async with http.get(f"{base_url}/i/{'x' * 22}/roster") as response:
            assert response.status == 404


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_roster_meets_wcag_aa(new_page, db, language, viewport):
    _event, token = await big_event(db)
    page = await open_meeting(
        await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language}), token
    )
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 25")
    await page.locator("#roster").scroll_into_view_if_needed()
    await look(page, f"roster-{language}-{viewport}")
    await page.locator("#roster-query").fill("zzz")
    await page.locator("#roster-search button").click()
    await wait_for_function(page, "document.querySelector('#roster-table').hidden")
    await look(page, f"roster-none-{language}-{viewport}")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_a_name_of_one_long_word_does_not_widen_the_page(new_page, db, viewport):
    """A name of 200 letters without a space (the form takes that many) breaks in its cell:
    it made the page three times as wide, with Pick and the status off the screen."""
    event, token = await big_event(db)
    await db.execute("UPDATE candidate SET name = $2 WHERE id = $1", event.candidates[0], "A" * 200)
    page = await open_meeting(await new_page(viewport=VIEWPORTS[viewport]), token)
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 25")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.locator("#roster").scroll_into_view_if_needed()
    await look(page, f"roster-long-name-{viewport}")


async def test_a_focused_pick_keeps_its_focus_when_someone_ahead_goes(new_page, db, base_url):
    """A keyboard user on someone's Pick, in the queue or in the registered candidates, stays
    on it while the lists are redrawn without someone ahead of them (WCAG 2.4.3)."""
    event, (token,), candidates = await make_meeting_event(db, candidates=4)
    async with checked_in(base_url, [candidates[0], candidates[2], candidates[3]]) as recorders:
        first, _third, fourth = recorders
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await wait_for_function(page, "document.querySelectorAll('#queue li').length === 3")
        await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 4")
        focused = "document.activeElement.getAttribute('aria-label') === 'Pick Kandidat 2'"

        # The queue: the first in line leaves.
        await page.locator("#queue").get_by_role("button", name="Pick Kandidat 2").focus()
        await first.request({"ok"}, type="leave")
        await wait_for_function(page, "document.querySelectorAll('#queue li').length === 2")
        assert await page.evaluate(f"{focused} && document.activeElement.closest('#queue') !== null")

        # The registered candidates: a registration ahead in the list ends (its row goes when
        # the list is read again, after the next change of the counts).
        await page.locator("#candidates").get_by_role("button", name="Pick Kandidat 2").focus()
        await db.execute("UPDATE candidate SET cancelled_at = now() WHERE id = $1", event.candidates[1])
        await fourth.request({"ok"}, type="leave")
        await wait_for_function(
            page, "document.querySelectorAll('#candidates tr').length === 3", timeout=10000
        )
        assert await page.evaluate(f"{focused} && document.activeElement.closest('#candidates') !== null")


async def test_the_roster_is_read_once_as_the_page_opens_and_again_in_another_language(new_page, db):
    """The page's text catalog coming in at the start is no language switch: the list is
    not fetched twice (at a national event every interviewer's page opening at once)."""
    _event, token = await big_event(db)
    page = await new_page(extra_http_headers={"Accept-Language": "en"})
    reads = []
    page.on("request", lambda request: "/roster" in request.url and reads.append(request.url))
    await open_meeting(page, token)
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 25")
    await page.wait_for_load_state("networkidle")
    assert len(reads) == 1, reads
    assert await page.locator("#roster-status").inner_text() == "60 registered candidates."
    await page.locator(".language-switch a[lang=sv]").click()
    await wait_for_function(page, "document.querySelector('#roster-status').textContent.includes('anmälda')")
    assert len(reads) == 2, reads


@pytest.mark.parametrize(("language", "word"), [("sv", "Kalla in"), ("en", "Pick")])
async def test_the_pick_column_is_headed_with_its_buttons_word(new_page, db, language, word):
    """One word for one action: the column (read by a screen reader with each button) says
    what its buttons say."""
    _event, token = await big_event(db)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": language}), token)
    await wait_for_function(page, "document.querySelectorAll('#candidates button.pick').length > 0")
    heading = page.locator("#roster-table thead th").nth(3)
    assert (await heading.text_content() or "").strip() == word
    assert await page.locator("#candidates button.pick").first.text_content() == word


@pytest.mark.parametrize(("language", "viewport"), [("en", "desktop"), ("sv", "phone")])
async def test_two_registered_of_one_name_are_told_apart_by_their_address(new_page, db, language, viewport):
    """The interviewer picks the one they mean: beside a name another registered shares, the
    e-mail address; beside a name of one's own, nothing more (nobody else's address is sent)."""
    event, (token,), _ = await make_meeting_event(db, candidates=3)
    twins = event.candidates[:2]
    await db.execute("UPDATE candidate SET name = 'Ann-Sofie Lindström' WHERE id = ANY($1)", twins)
    emails = [await db.fetchval("SELECT email FROM candidate WHERE id = $1", c) for c in event.candidates]
    size = {"width": 390, "height": 844} if viewport == "phone" else {"width": 1280, "height": 900}
    page = await open_meeting(
        await new_page(extra_http_headers={"Accept-Language": language}, viewport=size), token
    )
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 3")
    names = await page.locator("#candidates th").all_inner_texts()
    assert sorted(names[:2]) == sorted(f"Ann-Sofie Lindström\n{email}" for email in emails[:2])
    assert names[2] == "Kandidat 2"
    response = await page.request.get(f"/i/{token}/roster")
    assert emails[2] not in await response.text()
    await look(page, f"roster-same-names-{language}-{viewport}")


@pytest.mark.parametrize(
    "language, missed, left",
    [
        ("en", "Out of the queue: missed their turn twice", "Left the queue"),
        ("sv", "Togs ur kön: missade sin tur två gånger", "Lämnade kön"),
    ],
)
async def test_one_out_for_missing_their_turn_is_not_said_to_have_left(new_page, db, language, missed, left):
    """Taken out of the queue for not joining when called in, twice, is not leaving it by
    choice: the roster says which, as the candidate's own page does."""
    event, (token,), _ = await make_meeting_event(db, candidates=2)
    await db.execute(
        """
        INSERT INTO queue_entry (event_id, candidate_id, state, left_reason)
        SELECT $1, id, 'left', reason
        FROM unnest($2::bigint[], $3::text[]) AS x(id, reason)""",
        event.id,
        event.candidates,
        ["missed", "candidate"],
    )
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": language}), token)
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 2")
    shown = await rows(page)
    assert shown[0].endswith(missed) and shown[1].endswith(left), shown


async def test_a_refusal_of_a_press_far_down_the_page_is_brought_into_view(new_page, db):
    """Pick pressed in the list of everyone registered, far below the page's alert, and
    refused (another interviewer called that candidate in a moment before): the alert is
    scrolled into view instead of being said out of sight while the row just changes."""
    _event, token = await big_event(db)
    page = await open_meeting(
        await new_page(viewport={"width": 1100, "height": 600}, extra_http_headers={"Accept-Language": "en"}),
        token,
    )
    await wait_for_function(page, "document.querySelectorAll('#candidates tr').length === 25")
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # down to the roster's pages
    in_view = "(() => { const b = document.querySelector('#problem').getBoundingClientRect();"
    in_view += " return b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight; })()"
    assert await page.evaluate("window.scrollY") > 600  # the alert's place is far above
    # The refusal as the reply to a Pick gives it (interviewer-requests.js).
    await page.evaluate(
        """window.meeting.requests.setProblem(
             () => "That candidate is not waiting any more. Pick someone else.", "pick")"""
    )
    await wait_for_function(page, in_view)
    assert "not waiting any more" in await page.locator("#problem").inner_text()
