"""A registration that ends on the event day (app/live/leaving.py): the candidate is taken
out of the queue, an offer to them withdrawn, their call ended, the interviewers' screens
updated, and the candidate's own open page told (`registration_ended`, PROTOCOL.md).
Before, the employer's *Remove* and the candidate's own cancellation only marked the
registration: the candidate went on waiting, could still join an offer, and the call went on.

What it ends records why (end_reason 'cancelled' or 'removed'): before, a removal was
recorded as the candidate leaving the call, and a removal with an offer open as the
candidate missing it, which the summary counted as a miss."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest

from app.summary.model import CANCELLED_WHEN_CALLED_IN, ENDED_EARLY, OUTCOMES
from app.summary.queries import load_summary
from tests.forms import csrf_from, csrf_of
from tests.integration.channel_support import candidate_and_lobby, new_client, sign_in_candidate
from app.keys import JANUS
from app.live import dispatch, interviews, leaving
from app.live.errors import LiveError
from tests.integration.live_support import assert_invariants, make_live_event, one_in_a_call_one_offered
from tests.mails import read_mails, wait_for_mail


async def token_of(db, table: str, row_id: int) -> str:
    return await db.fetchval(f"SELECT access_token FROM {table} WHERE id = $1", row_id)


async def remove(http, base_url: str, event_id: int, candidate_id: int) -> str:
    """The employer's *Remove*, confirmed: the confirmation page's text."""
    url = f"{base_url}/events/{event_id}/candidates/{candidate_id}/remove"
    _, csrf, confirmation = await csrf_of(http, url)
    async with http.post(url, data={"csrf_token": csrf}, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
    return confirmation


@asynccontextmanager
async def one_checked_in(db, base_url: str, organization_id: int | None = None):
    """An event under way (the employer's organization's, when given) with one interviewer
    and one candidate checked in: (the event, the candidate's id, their socket, the lobby)."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    if organization_id is not None:
        await db.execute("UPDATE event SET organization_id = $1 WHERE id = $2", organization_id, event.id)
    [person] = event.candidates
    interviewer = await token_of(db, "event_interviewer", event.interviewers[0])
    async with candidate_and_lobby(base_url, await token_of(db, "candidate", person), interviewer) as (
        candidate,
        lobby,
    ):
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        yield event, person, candidate, lobby


def waiting_names(state: dict) -> list[str]:
    return [row["name"] for row in state["queue"]]


async def summary_of(db, event_id: int) -> list[tuple[str, int | None]]:
    """The summary's interviews: (outcome, seconds) of each."""
    summary = await load_summary(db, event_id, language="en")
    return [(item.outcome, item.seconds) for group in summary.groups for item in group.interviews]


async def in_a_call(candidate, lobby) -> dict:
    dispatched = await lobby.request({"dispatched"}, type="next")
    assert (await candidate.request({"ticket"}, type="accept"))["type"] == "ticket"
    await lobby.wait_for(lambda m: m["type"] == "state" and (m["interview"] or {}).get("state") == "active")
    return dispatched


async def test_the_employer_removes_a_waiting_candidate_on_the_event_day(employer, db, base_url):
    http, user = employer
    event = await make_live_event(db, interviewers=1, candidates=2)
    await db.execute("UPDATE event SET organization_id = $1 WHERE id = $2", user["organization_id"], event.id)
    first, second = event.candidates
    interviewer = await token_of(db, "event_interviewer", event.interviewers[0])
    async with (
        new_client() as other_http,
        candidate_and_lobby(base_url, await token_of(db, "candidate", first), interviewer) as (
            candidate,
            lobby,
        ),
    ):
        await sign_in_candidate(other_http, base_url, await token_of(db, "candidate", second))
        async with other_http.ws_connect(f"{base_url}/c/{await token_of(db, 'candidate', second)}/ws") as ws:
            await ws.send_json({"type": "check_in"})
            assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
            await lobby.wait_for(lambda m: m["type"] == "state" and m["counts"]["waiting"] == 2)
            mark = len(lobby.messages)

            asked = await remove(http, base_url, event.id, first)
            assert "Kandidaten står i kön just nu: hen tas ur kön." in asked  # what it ends

            await candidate.wait_for(lambda m: m["type"] == "registration_ended")
            state = await lobby.wait_for(
                lambda m: m["type"] == "state" and m["counts"]["waiting"] == 1, after=mark
            )
            assert waiting_names(state) == ["Kandidat 1"]
            assert state["counts"]["registered"] == 1
            # *Next* reaches the one still registered.
            dispatched = await lobby.request({"dispatched"}, type="next")
            assert dispatched.get("candidate") == second, dispatched
    assert await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", first) == "left"
    await assert_invariants(db, event.id)


async def test_a_removed_candidate_with_an_offer_cannot_join_it(employer, db, base_url):
    http, user = employer
    async with one_checked_in(db, base_url, user["organization_id"]) as (event, person, candidate, lobby):
        dispatched = await lobby.request({"dispatched"}, type="next")
        assert dispatched["type"] == "dispatched", dispatched
        await candidate.wait_for(lambda m: m["type"] == "offer")

        await remove(http, base_url, event.id, person)

        await candidate.wait_for(lambda m: m["type"] == "registration_ended")
        await lobby.wait_for(lambda m: m["type"] == "state" and m["interview"] is None)
        refused = await candidate.request({"ticket"}, type="accept")
        assert refused["type"] == "error", refused
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", dispatched["interview"])
    # Withdrawn, as an interviewer's withdrawal is: not the candidate's miss.
    assert tuple(row) == ("withdrawn", "removed")
    assert await summary_of(db, event.id) == []
    assert (await load_summary(db, event.id, language="en")).totals.missed == 0
    await assert_invariants(db, event.id)


async def test_the_employer_removing_a_candidate_in_a_call_records_the_removal(employer, db, base_url):
    """Before, recorded as end_reason 'candidate': as if the candidate had left the call."""
    http, user = employer
    async with one_checked_in(db, base_url, user["organization_id"]) as (event, person, candidate, lobby):
        dispatched = await in_a_call(candidate, lobby)

        asked = await remove(http, base_url, event.id, person)
        assert "Kandidaten är i en intervju just nu: den avslutas direkt." in asked

        await candidate.wait_for(lambda m: m["type"] == "registration_ended")
        await lobby.wait_for(lambda m: m["type"] == "state" and m["interview"] is None)
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", dispatched["interview"])
    assert tuple(row) == ("ended", "removed")
    # The summary holds the call as held, for as long as it ran, without the candidate's answer.
    [(outcome, seconds)] = await summary_of(db, event.id)
    assert outcome == "no_answer" and seconds is not None
    assert await db.fetchval("SELECT cancelled_by FROM candidate WHERE id = $1", person) == "employer"
    await assert_invariants(db, event.id)


async def test_the_candidate_cancelling_in_another_tab_ends_their_interview(db, base_url):
    async with (
        one_checked_in(db, base_url) as (event, person, candidate, lobby),
        new_client() as other_tab,
    ):
        token = await token_of(db, "candidate", person)
        dispatched = await in_a_call(candidate, lobby)

        await sign_in_candidate(other_tab, base_url, token)
        cancel = f"{base_url}/c/{token}/cancel"
        csrf = await csrf_from(other_tab, cancel)
        async with other_tab.post(cancel, data={"csrf_token": csrf}, allow_redirects=False) as response:
            assert response.status == 303

        await candidate.wait_for(lambda m: m["type"] == "registration_ended")
        await lobby.wait_for(lambda m: m["type"] == "state" and m["interview"] is None)
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", dispatched["interview"])
    assert tuple(row) == ("ended", "cancelled")
    assert await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", person) == "done"
    [(outcome, seconds)] = await summary_of(db, event.id)
    assert outcome == "no_answer" and seconds is not None
    await assert_invariants(db, event.id)


async def delete(http, base_url: str, event_id: int) -> None:
    url = f"{base_url}/events/{event_id}/delete"
    csrf = await csrf_from(http, url)
    async with http.post(url, data={"csrf_token": csrf}, allow_redirects=False) as response:
        assert response.status == 303, await response.text()


async def test_deleting_the_event_on_its_day_tells_its_open_pages(employer, db, base_url):
    """Before, nothing was notified: a waiting page went on showing its place."""
    http, user = employer
    async with one_checked_in(db, base_url, user["organization_id"]) as (event, _person, candidate, lobby):
        await delete(http, base_url, event.id)
        for page in (candidate, lobby):
            await page.wait_for(lambda m: m["type"] == "state" and m["event"]["state"] == "cancelled")


async def test_deleting_the_event_on_its_day_ends_its_call_under_way(employer, db, base_url, app_server):
    """The call ends at once and its room goes: before, it ran on to its time limit in an
    event whose pages no longer opened (an interviewer whose socket dropped could not end it)."""
    http, user = employer
    async with one_checked_in(db, base_url, user["organization_id"]) as (event, person, candidate, lobby):
        dispatched = await in_a_call(candidate, lobby)
        room = await db.fetchrow(
            "SELECT janus_server, room_id FROM interview WHERE id = $1", dispatched["interview"]
        )
        await delete(http, base_url, event.id)
        for page in (candidate, lobby):
            await page.wait_for(
                lambda m: (
                    m["type"] == "state" and m["event"]["state"] == "cancelled" and m["interview"] is None
                )
            )
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", dispatched["interview"])
    assert tuple(row) == ("ended", "event_cancelled")
    janus = app_server[JANUS].connections[room["janus_server"]]
    assert not (await janus.request({"request": "exists", "room": room["room_id"]}))["exists"]
    await assert_invariants(db, event.id)


async def test_deleting_the_event_on_its_day_takes_back_its_open_offers(
    employer, db, pool, settings, base_url
):
    """An offer open when the event is deleted is withdrawn (before, it could still be
    joined, and a new interview began in a deleted event), and nobody more is called."""
    http, user = employer
    event = await make_live_event(db, interviewers=2, candidates=3)
    await db.execute("UPDATE event SET organization_id = $1 WHERE id = $2", user["organization_id"], event.id)
    call, offer = await one_in_a_call_one_offered(db, pool, event, settings.live)
    await delete(http, base_url, event.id)
    rows = await db.fetch("SELECT state, end_reason FROM interview WHERE event_id = $1 ORDER BY id", event.id)
    assert [tuple(row) for row in rows] == [("ended", "event_cancelled"), ("withdrawn", "event_cancelled")]
    assert (
        await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", offer.candidate_id)
        == "waiting"
    )
    joined = await db.fetchrow("SELECT * FROM live_accept($1)", offer.candidate_id)
    assert joined["o_outcome"] == "gone"
    with pytest.raises(LiveError) as refused:
        await dispatch.dispatch(pool, event.interviewers[0], settings.live)
    assert refused.value.code == "event_not_open"
    await assert_invariants(db, event.id)


@pytest.mark.parametrize(
    ("reason", "by_candidate", "offer_state", "offer_outcomes"),
    [
        # The candidate's own cancellation with an offer open: recorded as the cancellation,
        # and a turn declined in the summary, as leaving the queue with one open is (not a
        # miss: they said so).
        ("cancelled", True, "missed", ["declined"]),
        ("removed", False, "withdrawn", []),
        ("erased", True, "missed", ["declined"]),
        ("erased", False, "withdrawn", []),
    ],
)
async def test_what_a_registration_ends_records_why(
    db, pool, settings, reason, by_candidate, offer_state, offer_outcomes
):
    event = await make_live_event(db, interviewers=2, candidates=2)
    await one_in_a_call_one_offered(db, pool, event, settings.live)

    for person in event.candidates:
        async with db.transaction():
            rooms = await leaving.end_on_event_day(db, event.id, person, reason, by_candidate=by_candidate)
        assert rooms and rooms[0].room_id is not None  # for the caller to destroy

    rows = await db.fetch(
        "SELECT id, state, end_reason FROM interview WHERE event_id = $1 ORDER BY id", event.id
    )
    assert [tuple(row)[1:] for row in rows] == [("ended", reason), (offer_state, reason)]
    assert [outcome for outcome, _ in await summary_of(db, event.id)] == ["no_answer", *offer_outcomes]
    # The call it ended says why there is no answer (the candidate could not give one).
    summary = await load_summary(db, event.id, language="en")
    held = [item for group in summary.groups for item in group.interviews if item.outcome == "no_answer"]
    if reason in ENDED_EARLY:  # (an erased candidate's interview says only that it took place)
        assert [item.outcome_label for item in held] == [ENDED_EARLY[reason]]
    declined = [
        item.outcome_label
        for group in summary.groups
        for item in group.interviews
        if item.outcome == "declined"
    ]
    assert declined == (
        [{"cancelled": CANCELLED_WHEN_CALLED_IN, "erased": OUTCOMES["declined"]}[reason]]
        if by_candidate
        else []
    )
    assert summary.totals.missed == 0 and summary.totals.declined == len(declined)
    await assert_invariants(db, event.id)


async def test_an_unknown_reason_is_refused(db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    with pytest.raises(ValueError):
        await leaving.end_on_event_day(db, event.id, event.candidates[0], "candidate", by_candidate=True)


async def test_deleting_the_event_on_its_day_mails_no_cancellation_to_those_interviewed(
    employer, db, pool, settings, base_url
):
    """For a candidate interviewed that day the event took place: a cancellation (and a
    calendar cancellation) read as if it had not. The one in a call, and those waiting, are told."""
    http, user = employer
    event = await make_live_event(db, interviewers=2, candidates=3)
    await db.execute("UPDATE event SET organization_id = $1 WHERE id = $2", user["organization_id"], event.id)
    call, offer = await one_in_a_call_one_offered(db, pool, event, settings.live)
    await interviews.end_interview(db, call.interview_id, "interviewer")
    emails = dict(await db.fetch("SELECT id, email FROM candidate WHERE event_id = $1", event.id))
    interviewed, offered, waiting = event.candidates
    async with http.get(f"{base_url}/events/{event.id}/delete") as response:
        assert "<li>2 anmälda kandidater</li>" in await response.text()  # in the employer's Swedish
    await delete(http, base_url, event.id)
    for told in (offered, waiting):
        await wait_for_mail(settings.mail.catcher_dir, emails[told])
    await asyncio.sleep(1)
    assert not [m for m in read_mails(settings.mail.catcher_dir) if emails[interviewed] in str(m["To"])]


async def test_a_call_joined_while_the_event_is_deleted_is_ended_too(employer, db, pool, settings, base_url):
    """The candidate's Join is under way when the delete comes: the delete waits for it and
    then ends the call the offer has become, rather than withdrawing an offer that is no
    longer there and leaving the call to run to its time limit in a cancelled event."""
    http, user = employer
    event = await make_live_event(db, interviewers=2, candidates=2)
    await db.execute("UPDATE event SET organization_id = $1 WHERE id = $2", user["organization_id"], event.id)
    _call, offer = await one_in_a_call_one_offered(db, pool, event, settings.live)
    async with pool.acquire() as joining:
        accept = joining.transaction()
        await accept.start()
        assert (await joining.fetchrow("SELECT * FROM live_accept($1)", offer.candidate_id))["o_started"]
        deleting = asyncio.ensure_future(delete(http, base_url, event.id))
        await asyncio.sleep(0.5)  # the delete waits for the entry
        assert not deleting.done()
        await accept.commit()
        await deleting
    rows = await db.fetch("SELECT state, end_reason FROM interview WHERE event_id = $1 ORDER BY id", event.id)
    assert [tuple(row) for row in rows] == [("ended", "event_cancelled"), ("ended", "event_cancelled")]
    await assert_invariants(db, event.id)


async def test_leaving_the_queue_when_called_in_is_a_turn_declined_not_missed(db, base_url):
    """The offer's *Leave the queue* (the candidate's page, PROTOCOL.md `leave`): the summary
    says what the candidate did, and does not count it among the turns missed."""
    async with one_checked_in(db, base_url) as (event, person, candidate, lobby):
        dispatched = await lobby.request({"dispatched"}, type="next")
        await candidate.wait_for(lambda m: m["type"] == "offer")
        assert (await candidate.request({"ok"}, type="leave"))["type"] == "ok"
        await lobby.wait_for(lambda m: m["type"] == "state" and m["interview"] is None)
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", dispatched["interview"])
    assert tuple(row) == ("missed", "left")
    summary = await load_summary(db, event.id, language="en")
    [item] = [item for group in summary.groups for item in group.interviews]
    assert (item.outcome, item.outcome_label) == ("declined", "Left the queue when called in")
    assert (summary.totals.declined, summary.totals.missed, summary.totals.interviews) == (1, 0, 0)
    await assert_invariants(db, event.id)
