"""tests/netns.py's traffic shaping does what it says, shown with plain sockets inside a
namespace (no stack, no browser): what a rule drops does not arrive, and nothing else is
touched. Runs as root only, like every namespace test."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.netns import (
    CLIENT_ADDRESS,
    EPHEMERAL_PORTS,
    SERVER_ADDRESS,
    Namespace,
    NamespaceThread,
    Nft,
    Shaping,
)

JANUS_PORTS = (30000, 30009)
TURN_PORT, TURN_TLS_PORT = 3478, 5349


@pytest.fixture(scope="module")
def shaped(netns_reason):
    namespace = Namespace(os.environ.get("SNABB_NETNS_PREFIX", "snabbns"))
    namespace.create()
    thread = NamespaceThread(namespace, "shaping")
    try:
        thread.start()
        thread.entered.result(10)
        shaping = Shaping(Nft(thread), JANUS_PORTS, TURN_PORT, TURN_TLS_PORT)
        shaping.install()
        yield shaping, thread
    finally:
        if thread.is_alive():
            thread.finish()
        namespace.delete()


def udp_delivered(port: int, count: int = 200, refused: list[int] | None = None) -> int:
    """How many of `count` datagrams from the client's address reach `port` on the server's;
    how many the sender was refused is added to `refused` when given."""
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        receiver.bind((SERVER_ADDRESS, port))
        receiver.settimeout(0.3)
        sender.bind((CLIENT_ADDRESS, 0))
        # As a browser's socket: a port the kernel chose, never one of Janus's.
        assert sender.getsockname()[1] >= EPHEMERAL_PORTS[0]
        for _ in range(count):
            try:
                sender.sendto(b"x", (SERVER_ADDRESS, port))
            except PermissionError:  # dropped in the output hook: the sender is told so
                if refused is not None:
                    refused.append(1)
        received = 0
        try:
            while True:
                receiver.recv(16)
                received += 1
        except TimeoutError:
            return received


def tcp_connects(port: int) -> bool:
    with socket.socket() as listener, socket.socket() as client:
        listener.bind((SERVER_ADDRESS, port))
        listener.listen()
        client.settimeout(1)
        try:
            client.connect((SERVER_ADDRESS, port))
            return True
        except OSError:
            return False


def test_each_shaping_drops_what_it_says_and_nothing_else(shaped):
    shaping, thread = shaped
    janus, other = JANUS_PORTS[0] + 5, 40000

    def check():
        ports = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()  # the namespace's
        assert tuple(map(int, ports.split())) == EPHEMERAL_PORTS
        assert udp_delivered(janus) == udp_delivered(other) == 200  # nothing shaped yet
        shaping.block_udp_to_janus()
        assert (udp_delivered(janus), udp_delivered(other), udp_delivered(TURN_PORT)) == (0, 200, 200)
        assert tcp_connects(TURN_PORT) and tcp_connects(TURN_TLS_PORT)
        shaping.block_udp_to_janus(turn_tcp=False)
        assert (udp_delivered(janus), udp_delivered(TURN_PORT)) == (0, 200)
        assert not tcp_connects(TURN_PORT) and not tcp_connects(TURN_TLS_PORT)
        shaping.loss(50)
        refused: list[int] = []
        assert 0 < udp_delivered(janus, 400, refused) < 400 and udp_delivered(other) == 200
        assert not refused  # lost on the way, unknown to the sender, as on a real network
        shaping.only_tcp()
        assert (udp_delivered(janus), udp_delivered(TURN_PORT), udp_delivered(other)) == (0, 0, 0)
        assert tcp_connects(TURN_PORT) and tcp_connects(TURN_TLS_PORT)
        shaping.only_tcp(turn_tls=False)
        assert udp_delivered(TURN_PORT) == 0
        assert tcp_connects(TURN_PORT) and not tcp_connects(TURN_TLS_PORT)
        shaping.only_tls_to_turn()
        assert udp_delivered(TURN_PORT) == 0
        assert not tcp_connects(TURN_PORT) and tcp_connects(TURN_TLS_PORT)
        shaping.clear()
        assert udp_delivered(janus) == 200 and tcp_connects(TURN_PORT)

    thread.call(check)
    with pytest.raises(ValueError):
        shaping.loss(101)
