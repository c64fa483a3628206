"""coturn (Debian's) with this repository's config/deploy/turnserver.conf, on loopback: it
takes the credentials app/turn.py mints for a ticket, refuses them once expired or signed
with another secret, and refuses to relay to loopback, private, link-local and CGNAT
addresses while a public one is allowed. Nothing is sent to any peer: a ChannelBind only
asks coturn for permission."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
from aioice import stun
from aioice.turn import create_turn_endpoint

from app.localstack.processes import free_port
from app.settings import TurnSettings
from app.turn import turn_credentials
from tests.unit.test_docker_compose import ROOT

SECRET = "t" * 40


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    if shutil.which("turnserver") is None:
        pytest.fail("turnserver not found: scripts/bootstrap --test installs Debian's coturn")
    work = tmp_path_factory.mktemp("coturn")
    port = free_port()
    lines = [
        line
        for line in (ROOT / "config/deploy/turnserver.conf").read_text().splitlines()
        # The container's ports, certificate and user; here a loopback port of its own,
        # no TLS listener (the deploy check covers turns:), and the test's own user.
        if not line.startswith(
            ("listening-port", "tls-listening-port", "cert=", "pkey=", "proc-user", "proc-group", "log-file")
        )
    ]
    lines += [
        f"listening-port={port}",
        "listening-ip=127.0.0.1",
        "relay-ip=127.0.0.1",
        "no-tls",
        "no-dtls",
        f"static-auth-secret={SECRET}",
        "realm=snabb.test",
        f"pidfile={work}/turnserver.pid",
        f"log-file={work}/turnserver.log",
    ]
    conf = work / "turnserver.conf"
    conf.write_text("\n".join(lines) + "\n")
    process = subprocess.Popen(
        ["turnserver", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 15
        while "listener opened on" not in _log(work) and time.monotonic() < deadline:
            time.sleep(0.1)
        yield ("127.0.0.1", port), work
    finally:
        process.terminate()
        process.wait(10)


def _log(work) -> str:
    try:
        return (work / "turnserver.log").read_text()
    except FileNotFoundError:
        return "".join(p.read_text() for p in work.glob("turnserver*.log"))


def credentials(secret: str, expires_at: float) -> tuple[str, str]:
    settings = TurnSettings(urls=["turn:127.0.0.1"], secret=secret)
    (server,) = turn_credentials(settings, "interview-7-candidate", int(expires_at))
    return server["username"], server["credential"]


async def allocate(address, username: str, password: str):
    return await asyncio.wait_for(
        create_turn_endpoint(asyncio.DatagramProtocol, address, username, password), 10
    )


async def test_minted_credentials_allocate_a_relay_and_expired_ones_do_not(coturn):
    address, work = coturn
    transport, _ = await allocate(address, *credentials(SECRET, time.time() + 600))
    assert transport.get_extra_info("sockname")[0] == "127.0.0.1"  # the relayed address
    transport.close()
    for username, password in (
        credentials(SECRET, time.time() - 5),
        credentials("another-secret-of-40-characters-at-least", time.time() + 600),
    ):
        with pytest.raises(stun.TransactionFailed) as refused:
            await allocate(address, username, password)
        assert refused.value.response.attributes["ERROR-CODE"][0] == 401
    assert SECRET not in _log(work)


@pytest.mark.parametrize(
    "peer", ["127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.1.1", "169.254.1.1", "100.64.0.1", "0.0.0.1"]
)
async def test_no_relaying_into_private_networks(coturn, peer):
    address, _ = coturn
    transport, _ = await allocate(address, *credentials(SECRET, time.time() + 600))
    protocol = transport._TurnTransport__inner_protocol  # aioice keeps it private
    try:
        with pytest.raises(stun.TransactionFailed) as refused:
            await protocol.channel_bind(0x4000, (peer, 9))
        assert refused.value.response.attributes["ERROR-CODE"][0] == 403
        # A public address (TEST-NET-2, where nothing is sent) is allowed.
        await protocol.channel_bind(0x4001, ("198.51.100.7", 9))
    finally:
        transport.close()
