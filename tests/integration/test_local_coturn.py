"""The local stack's coturn (app/localstack/coturn.py), as the test stack runs it: a ticket's
credentials from app/turn.py allocate a relay over UDP, TCP and TLS (its self-signed
certificate names its address), it may relay to the local Janus's address, and still not
into other private networks."""

from __future__ import annotations

import asyncio
import json
import ssl
import time

import pytest
from aioice import stun
from aioice.turn import create_turn_endpoint

from app.localstack.stack import SECRET_NAMES, load_or_create_secrets
from app.turn import turn_credentials


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
async def test_a_tickets_credentials_relay_to_janus_only(stack, settings, transport):
    coturn = stack.coturn
    assert settings.turn.urls == coturn.urls
    (server,) = turn_credentials(settings.turn, "interview-1-candidate", int(time.time()) + 600)
    context, port = None, coturn.port
    if transport == "tls":
        context = ssl.create_default_context(cafile=str(coturn.state_dir / "turn-cert.pem"))
        port = coturn.tls_port

    async def allocate():
        return await asyncio.wait_for(
            create_turn_endpoint(
                asyncio.DatagramProtocol,
                (coturn.host, port),
                server["username"],
                server["credential"],
                ssl=context,
                transport="udp" if transport == "udp" else "tcp",
            ),
            15,
        )

    for attempt in range(3):
        try:
            relay, _ = await allocate()
            break
        except stun.TransactionFailed as failed:
            # 437 over UDP on a loaded machine: aioice sent its Allocate again, as a new
            # transaction, after coturn had made the first and its answer came late. A new
            # attempt comes from a new port, with an allocation of its own.
            if failed.response.attributes["ERROR-CODE"][0] != 437 or attempt == 2:
                raise
    protocol = relay._TurnTransport__inner_protocol  # aioice keeps it private
    try:
        assert relay.get_extra_info("sockname")[0] == coturn.host
        janus = settings.janus_server
        await protocol.channel_bind(0x4000, (coturn.host, janus.rtp_port_min))
        with pytest.raises(stun.TransactionFailed) as refused:
            await protocol.channel_bind(0x4001, ("10.1.2.3", 9))
        assert refused.value.response.attributes["ERROR-CODE"][0] == 403
    finally:
        relay.close()


def test_a_secrets_file_from_before_coturn_gets_a_turn_secret_and_keeps_the_rest(tmp_path):
    path = tmp_path / "secrets.json"
    older = {name: f"kept-{name}" for name in SECRET_NAMES if name != "SNABB_TURN_SECRET"}
    path.write_text(json.dumps(older))
    values = load_or_create_secrets(path)
    assert {k: v for k, v in values.items() if k != "SNABB_TURN_SECRET"} == older
    assert len(values["SNABB_TURN_SECRET"]) >= 32
    assert json.loads(path.read_text()) == values == load_or_create_secrets(path)
