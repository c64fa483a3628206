"""Secrets never reach a log (docs/architecture.md): not from janus-client, not from the access log."""

from __future__ import annotations

import logging

from app.keys import JANUS
from app.logs import secret_values
from app.tickets import mint_ticket, read_ticket


async def test_room_work_and_requests_log_no_secret(app_server, settings, http, base_url, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    room = await app_server[JANUS].create_private_room(participants=2)
    ticket = mint_ticket(settings, room, 0, "candidate", "Kandidat", "test:logs")
    async with http.post(f"{base_url}/api/join", json={"ticket": ticket}) as response:
        assert response.status == 200
    personal_token = "Zx81kq0PlmN3vB7tYw2Rabcdef"
    async with http.get(f"{base_url}/c/{personal_token}?pin=918273") as response:
        assert response.status == 404
    join = read_ticket(settings, ticket)
    captured = capfd.readouterr()
    everything = caplog.text + captured.out + captured.err
    assert "GET /c/…" in caplog.text  # the access log did write the request, redacted
    for secret in [
        *secret_values(settings),
        room.pin,
        room.secret,
        *room.participant_tokens,
        join.janus_token,
        ticket,
        personal_token,
        "918273",
    ]:
        assert secret not in everything
