"""`prepare` (PROTOCOL.md; docs/calls.md, "Joining fast"): while the offer shows, the page
gets what connects it to its Janus server (not what opens the room), the same token its
first *Join* hands out, and nothing changes meanwhile."""

from __future__ import annotations

from app.tickets import read_ticket
from tests.integration.channel_support import candidate_and_lobby
from tests.integration.failover_support import until
from tests.integration.live_support import make_live_event
from tests.integration.test_janus_token_lifetime import admitted
from tests.integration.test_live_channel import tokens


async def test_an_offered_candidate_is_prepared_without_the_room_or_the_offer_changing(
    app_server, base_url, settings, db
):
    url = settings.janus.servers[0].url
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (interviewer_link,) = await tokens(db, live)
    async with candidate_and_lobby(base_url, candidate_link, interviewer_link) as (candidate, lobby):
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        dispatched = await lobby.request({"dispatched"}, type="next")
        await candidate.wait_for(lambda m: m["type"] == "offer")

        prepared = await candidate.request({"prepared"}, type="prepare")
        assert prepared["type"] == "prepared", prepared
        assert prepared["interview"] == dispatched["interview"]
        janus = prepared["janus"]
        # The way to the server, not into the room: no pin, no place on its allow-list.
        assert set(janus) == {"janus_url", "janus_token", "ice_servers", "opaque_id"}
        assert await admitted(_Join(janus["janus_token"]), url)
        row = await db.fetchrow(
            "SELECT i.state, i.started_at, i.room_pin, q.state AS queued FROM interview i"
            " JOIN queue_entry q ON q.candidate_id = i.candidate_id WHERE i.id = $1",
            prepared["interview"],
        )
        assert (row["state"], row["started_at"], row["queued"]) == ("offered", None, "offered")
        assert row["room_pin"] not in str(prepared)

        # The first Join hands out the same token: a session opened with it stays open.
        ticket = (await candidate.request({"ticket"}, type="accept"))["join"]
        same = ("janus_url", "janus_token", "opaque_id")  # (TURN's credentials are its own)
        assert [ticket[key] for key in same] == [janus[key] for key in same]
        joined = read_ticket(settings, (await candidate.request({"ticket"}, type="accept"))["ticket"])
        # (a second accept, as a reload, counts a new token: the prepared one stops)
        assert joined.janus_token != janus["janus_token"]
        refused = await candidate.request({"prepared"}, type="prepare")
        assert (refused["type"], refused["code"]) == ("error", "offer_gone")
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"


async def test_without_an_offer_or_after_a_withdrawal_prepare_is_refused(app_server, base_url, settings, db):
    url = settings.janus.servers[0].url
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (interviewer_link,) = await tokens(db, live)
    async with candidate_and_lobby(base_url, candidate_link, interviewer_link) as (candidate, lobby):
        assert (await candidate.request({"prepared"}, type="prepare"))["code"] == "offer_gone"
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        assert (await candidate.request({"prepared"}, type="prepare"))["code"] == "offer_gone"

        await lobby.request({"dispatched"}, type="next")
        await candidate.wait_for(lambda m: m["type"] == "offer")
        janus = (await candidate.request({"prepared"}, type="prepare"))["janus"]
        probe = _Join(janus["janus_token"])
        assert await admitted(probe, url)
        assert (await lobby.request({"ok"}, type="withdraw"))["type"] == "ok"
        assert (await candidate.request({"prepared"}, type="prepare"))["code"] == "offer_gone"
        # The withdrawn offer's room goes, and its tokens with it; the candidate keeps the place.
        await until(lambda: _refused(probe, url))
        place = await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", live.candidates[0])
        assert place == "waiting"


class _Join:
    """What `admitted` reads of a join: the token, and a room to ask about (none)."""

    def __init__(self, janus_token: str) -> None:
        self.janus_token = janus_token
        self.room = 0


async def _refused(join, url: str) -> bool:
    return not await admitted(join, url)
