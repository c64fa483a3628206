"""A call on a network of its own: the whole stack and the browsers in a network namespace,
addressed like a real deployment's, where traffic can be shaped with nftables.

Why: on loopback a browser and Janus always reach each other directly, so nothing about bad
networks can be shown there. Here the namespace has `lo` and a veth pair with both ends
inside it (`veth-srv` SERVER_ADDRESS, `veth-cli` CLIENT_ADDRESS) and a default route into
it: Chromium gathers ICE candidates (it gathers none with loopback alone) and nothing can
leave. PostgreSQL, Janus (offering SERVER_ADDRESS on `veth-srv` only), coturn (TURN over
UDP, TCP and TLS on SERVER_ADDRESS), the mail catcher and the application run inside it,
started by the project's own local stack (app/localstack/), and so do the browsers.

Needs root and the `ip` command (iproute2); nftables through libnftables (Debian's
libnftables1), no `nft` program needed. Run as root: `scripts/test tests/browser/netns`.

Use from pytest (fixtures in tests/browser/netns/conftest.py):

    async def test_x(netns, netns_page, interview_tickets):
        tickets = await interview_tickets()            # an interview's, both sides'
        page = await netns_page()                      # Chromium inside the namespace
        await page.goto(f"/test-pages/room.html#{quote(tickets[0])}")
        netns.shaping.block_udp_to_janus()             # tests/netns.py Shaping
        await frames_flowing(page)                     # video frames decoding

Use from anything else (another browser, Node, a shell, scripts/bench-turn), with a
started NetnsStack `stack` (`stack = NetnsStack("prefix"); stack.start()`; `stack.stop()`):

    stack.namespace.exec_argv(["node", "firefox-call.js", stack.base_url])
        the argv that runs a command inside the namespace (root needed);
    stack.base_url      the application's address as seen from inside, http://10.77.0.1:PORT;
    stack.run(coro)     awaits a coroutine on the namespace's own event loop, where the
                        application lives (`stack.app`, `stack.settings`, `stack.db`);
    chromium_args(stack), chromium_wrapper(...)   Chromium's switches and launcher;
    stack.shaping       the nftables rules (Shaping below), stack.nft("…") any others.

Teardown (NetnsStack.stop) stops the application and the stack, kills whatever else still
runs in the namespace (by process id, from `ip netns pids`) and deletes it, also after a
failed test; namespaces of earlier runs that were killed outright are removed at the next
start (their names carry the process id that made them).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from app.application import create_app
from app.keys import JANUS
from app.localstack.processes import free_port
from app.localstack.stack import LocalStack
from app.settings import Settings
from app.tickets import Role, mint_ticket
from tests.browser.conftest import CHROMIUM_ARGS
from tests.integration.live_support import make_live_event
from tests.serving import serving

ROOT = Path(__file__).resolve().parent.parent
SERVER_ADDRESS = "10.77.0.1"  # veth-srv: the application, Janus, coturn
CLIENT_ADDRESS = "10.77.0.2"  # veth-cli: the other end, so the browsers see a network
SERVER_INTERFACE, CLIENT_INTERFACE = "veth-srv", "veth-cli"
CLONE_NEWNET = 0x40000000
TABLE = "netns_shaping"
TURN_USER = "turnserver"  # coturn's own user (app/localstack/coturn.py): relayed packets
# Ports the kernel hands out inside the namespace (a browser's sockets): above Janus's RTP
# range (app/localstack/stack.py, below 40000), so a packet from that range is Janus's own.
EPHEMERAL_PORTS = (40000, 60999)


def can_run() -> str | None:
    """Why the namespace tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs as root)"
    if shutil.which("ip") is None:
        return "the `ip` command (Debian's iproute2) is not installed"
    return None


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")


class Namespace:
    """A network namespace `name` with lo, the veth pair and a default route; all inside."""

    def __init__(self, prefix: str = "snabbns"):
        self.prefix = prefix
        self.name = f"{prefix}-{os.getpid()}-{next(_serial)}"

    def create(self) -> None:
        remove_stale(self.prefix)
        _ip("netns", "add", self.name)
        try:
            n = ("-n", self.name)
            _ip(*n, "link", "set", "lo", "up")
            _ip(*n, "link", "add", SERVER_INTERFACE, "type", "veth", "peer", "name", CLIENT_INTERFACE)
            _ip(*n, "addr", "add", f"{SERVER_ADDRESS}/24", "dev", SERVER_INTERFACE)
            _ip(*n, "addr", "add", f"{CLIENT_ADDRESS}/24", "dev", CLIENT_INTERFACE)
            _ip(*n, "link", "set", SERVER_INTERFACE, "up")
            _ip(*n, "link", "set", CLIENT_INTERFACE, "up")
            # Chromium asks the routing table for its default address before gathering.
            _ip(*n, "route", "add", "default", "via", CLIENT_ADDRESS, "dev", SERVER_INTERFACE)
            low, high = EPHEMERAL_PORTS
            _ip(*self.exec_argv(["sysctl", "-q", "-w", f"net.ipv4.ip_local_port_range={low} {high}"])[1:])
        except BaseException:
            self.delete()
            raise

    @property
    def path(self) -> Path:
        return Path("/var/run/netns") / self.name

    def exec_argv(self, argv: list[str]) -> list[str]:
        """The argv that runs `argv` inside the namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def pids(self) -> list[int]:
        result = subprocess.run(
            ["ip", "netns", "pids", self.name], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in result.stdout.split()]

    def delete(self) -> None:
        for pid in self.pids():  # only what runs in our own namespace: we started it
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True, check=False)

    def enter(self) -> None:
        """Move the calling thread (only it) into the namespace; children it starts and
        sockets it opens from then on are inside."""
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            if libc.setns(descriptor, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns into {self.name}")
        finally:
            os.close(descriptor)


_serial = iter(range(1, 1 << 30))


def remove_stale(prefix: str) -> None:
    """Namespaces `prefix-PID-N` whose process is gone, and their temporary folders
    (`/tmp/prefix-PID-N-…`): a run killed outright left them."""
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    for line in listing.splitlines():
        match = re.fullmatch(rf"({re.escape(prefix)}-(\d+)-\d+)(?: \(id: \d+\))?", line.strip())
        if match and not Path(f"/proc/{match[2]}").exists():
            stale = Namespace.__new__(Namespace)
            stale.name = match[1]
            stale.delete()
            for folder in Path(tempfile.gettempdir()).glob(f"{stale.name}-*"):
                shutil.rmtree(folder, ignore_errors=True)


class NamespaceThread(threading.Thread):
    """A thread inside the namespace that runs the jobs it is given, in order.

    Child processes must be started by a thread that outlives them: the local stack's
    children get SIGTERM when the thread that started them ends (PR_SET_PDEATHSIG)."""

    def __init__(self, namespace: Namespace, name: str):
        super().__init__(name=f"{namespace.name}-{name}", daemon=True)
        self.namespace = namespace
        self.jobs: queue.Queue = queue.Queue()
        self.entered: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def run(self) -> None:
        try:
            self.namespace.enter()
        except BaseException as error:  # noqa: BLE001 (the caller gets it)
            self.entered.set_exception(error)
            return
        self.entered.set_result(None)
        while (job := self.jobs.get()) is not None:
            function, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function())
                except BaseException as error:  # noqa: BLE001 (handed to the caller)
                    future.set_exception(error)

    def submit(self, function: Callable[[], Any]) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.jobs.put((function, future))
        return future

    def call(self, function: Callable[[], Any], timeout: float = 120) -> Any:
        return self.submit(function).result(timeout)

    def finish(self) -> None:
        self.jobs.put(None)
        self.join(30)


class Nft:
    """nftables commands through libnftables, run by a thread inside the namespace (its
    netlink socket, and so the rules, are the namespace's)."""

    def __init__(self, thread: NamespaceThread):
        self.thread = thread
        self.library = ctypes.CDLL("libnftables.so.1")
        self.library.nft_ctx_new.restype = ctypes.c_void_p
        self.library.nft_ctx_new.argtypes = [ctypes.c_uint32]
        self.library.nft_ctx_free.argtypes = [ctypes.c_void_p]
        self.library.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
        self.library.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
        self.library.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
        self.library.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]

    def __call__(self, commands: str) -> None:
        """Run nft `commands` (one or more lines, as for `nft -f`) inside the namespace."""
        if threading.current_thread() is self.thread:
            self._run(commands)
        else:
            self.thread.call(lambda: self._run(commands), timeout=30)

    def _run(self, commands: str) -> None:
        context = self.library.nft_ctx_new(0)
        try:
            self.library.nft_ctx_buffer_error(context)
            if self.library.nft_run_cmd_from_buffer(context, commands.encode()) != 0:
                error = self.library.nft_ctx_get_error_buffer(context) or b""
                raise RuntimeError(f"nft: {error.decode(errors='replace').strip()}\n{commands}")
        finally:
            self.library.nft_ctx_free(context)


@dataclass
class Shaping:
    """Traffic shaping inside the namespace: each call replaces the rules before it.

    Everything runs on one host, so packets both ways pass the output hook; coturn's relayed
    packets (its own user) are let through where a browser's are dropped, as a client's
    firewall would not see the TURN server's own traffic to Janus. Janus's own packets are
    those from its RTP ports, which no browser socket gets (EPHEMERAL_PORTS).

    A packet dropped in the output hook is refused to its sender (sendmsg fails with EPERM):
    a blocking firewall is told so at once, much as one that rejects. Random loss must not be
    seen by the sender: dropped on the way out, a "10 %" loss reached Janus as 1–2 % (its
    receiver reports and NACKs said so) and the page's bitrate control saw a clean line. So
    loss is dropped in the input hook, on arrival, where a network loses packets unseen."""

    nft: Nft
    rtp_ports: tuple[int, int]  # Janus's RTP range
    turn_port: int  # coturn's TURN port (UDP and TCP)
    turn_tls_port: int  # and its TURN/TLS one
    rules: list[str] = field(default_factory=list)

    def _set(self, rules: list[str], on_arrival: tuple[str, ...] = ()) -> None:
        """`rules` in the output hook (the sender is refused), `on_arrival` in the input hook."""
        self.nft(
            f"flush chain inet {TABLE} output\n"
            f"flush chain inet {TABLE} input\n"
            + "".join(f"add rule inet {TABLE} output {rule}\n" for rule in rules)
            + "".join(f"add rule inet {TABLE} input {rule}\n" for rule in on_arrival)
        )
        self.rules = [*rules, *on_arrival]

    def install(self) -> None:
        self.nft(
            f"add table inet {TABLE}\n"
            f"add chain inet {TABLE} output {{ type filter hook output priority 0; policy accept; }}\n"
            f"add chain inet {TABLE} input {{ type filter hook input priority 0; policy accept; }}\n"
        )

    @property
    def _janus(self) -> str:
        return f"{self.rtp_ports[0]}-{self.rtp_ports[1]}"

    def clear(self) -> None:
        """Everything allowed again."""
        self._set([])

    def block_udp_to_janus(self, turn_tcp: bool = True) -> None:
        """Browsers' UDP to Janus's RTP ports dropped: TURN/UDP still works, and TURN/TCP and
        TURN/TLS too unless `turn_tcp` is False (then ICE can only settle on TURN/UDP)."""
        rules = [f'udp dport {self._janus} meta skuid != "{TURN_USER}" drop']
        if not turn_tcp:
            rules.append(f"tcp dport {{ {self.turn_port}, {self.turn_tls_port} }} drop")
        self._set(rules)

    def loss(self, percent: int) -> None:
        """`percent` % of media packets to and from Janus dropped at random, each way, on
        arrival: the sender does not learn of it (the class's note)."""
        if not 0 <= percent <= 100:
            raise ValueError("percent is 0 to 100")
        self._set(
            [],
            on_arrival=(
                f"udp dport {self._janus} numgen random mod 100 < {percent} drop",
                f"udp sport {self._janus} numgen random mod 100 < {percent} drop",
            ),
        )

    def only_tcp(self, turn_tls: bool = True) -> None:
        """No UDP from the browsers at all (not to Janus, not to TURN/UDP): a network that
        lets only TCP through. Janus's and coturn's own packets pass. TURN/TLS stays
        reachable unless `turn_tls` is False (then ICE can only settle on TURN/TCP)."""
        rules = [self._no_browser_udp]
        if not turn_tls:
            rules.append(f"tcp dport {self.turn_tls_port} drop")
        self._set(rules)

    def only_tls_to_turn(self) -> None:
        """As only_tcp, and plain TURN/TCP refused too: of the relays only TURN/TLS is left."""
        self._set([self._no_browser_udp, f"tcp dport {self.turn_port} drop"])

    @property
    def _no_browser_udp(self) -> str:
        return f'meta l4proto udp meta skuid != "{TURN_USER}" udp sport != {self._janus} drop'


@dataclass
class NetnsStack:
    """The local stack and the application inside a namespace of their own."""

    prefix: str = "snabbns"
    namespace: Namespace = field(init=False)
    stack: LocalStack | None = field(default=None, init=False)
    app: Any = field(default=None, init=False)
    db: asyncpg.Connection | None = field(default=None, init=False)
    loop: asyncio.AbstractEventLoop | None = field(default=None, init=False)
    state_dir: Path | None = field(default=None, init=False)
    shaping: Shaping | None = field(default=None, init=False)
    nft: Nft | None = field(default=None, init=False)
    _worker: NamespaceThread | None = field(default=None, init=False)
    _looper: NamespaceThread | None = field(default=None, init=False)
    _serving: Any = field(default=None, init=False)

    def __post_init__(self):
        self.namespace = Namespace(self.prefix)

    @property
    def settings(self) -> Settings:
        return self.stack.settings()

    @property
    def base_url(self) -> str:
        """The application's address as seen from inside the namespace."""
        return self.settings.app.public_url

    @property
    def turn_spki(self) -> str:
        """The key of coturn's self-signed certificate, for Chromium's SPKI allow-list."""
        return self.stack.coturn.spki

    def start(self) -> None:
        self.namespace.create()
        try:
            self.state_dir = Path(tempfile.mkdtemp(prefix=f"{self.namespace.name}-"))
            os.chmod(self.state_dir, 0o755)  # PostgreSQL runs as its own user and enters it
            self._worker = NamespaceThread(self.namespace, "worker")
            self._looper = NamespaceThread(self.namespace, "loop")
            for thread in (self._worker, self._looper):
                thread.start()
                thread.entered.result(10)
            self.stack = self._worker.call(self._start_stack, timeout=180)
            self.loop = asyncio.new_event_loop()
            self._looper.submit(self.loop.run_forever)
            self.run_sync(self._start_app(), timeout=60)
            self.nft = Nft(self._worker)
            settings = self.settings.janus_server
            if settings.rtp_port_max >= EPHEMERAL_PORTS[0]:
                raise RuntimeError("Janus's RTP ports must lie below the namespace's ephemeral ones")
            self.shaping = Shaping(
                self.nft,
                (settings.rtp_port_min, settings.rtp_port_max),
                self.stack.coturn.port,
                self.stack.coturn.tls_port,
            )
            self.shaping.install()
        except BaseException:
            self.stop()
            raise

    def _start_stack(self) -> LocalStack:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("SNABB_") and k != "DATABASE_URL"}
        stack = LocalStack(
            self.state_dir,
            free_port(),
            env_name="test",
            throwaway=True,
            base_environ=environ,
            host=SERVER_ADDRESS,
            ice_interface=SERVER_INTERFACE,
        )
        stack.start()
        return stack

    async def _start_app(self) -> None:
        app = create_app(self.settings)
        app.router.add_static("/test-pages", ROOT / "tests" / "pages")
        self._serving = serving(app, self.settings.app.port, SERVER_ADDRESS)
        await self._serving.__aenter__()
        await app[JANUS].connections["janus1"].wait_ready(20)
        self.db = await asyncpg.connect(self.stack.environ["DATABASE_URL"])
        self.app = app

    async def _stop_app(self) -> None:
        if self.db is not None:
            await self.db.close()
        if self._serving is not None:
            await self._serving.__aexit__(None, None, None)

    def run_sync(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Await `coroutine` on the namespace's event loop (where the app and `db` live)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def stop(self) -> None:
        try:
            if self.loop is not None:
                try:
                    self.run_sync(self._stop_app(), timeout=30)
                finally:
                    self.loop.call_soon_threadsafe(self.loop.stop)
            if self.stack is not None:
                self._worker.call(self.stack.stop, timeout=90)
        finally:
            for thread in (self._looper, self._worker):
                if thread is not None and thread.is_alive():
                    thread.finish()
            self.namespace.delete()
            if self.state_dir is not None:
                shutil.rmtree(self.state_dir, ignore_errors=True)


ROLES: tuple[Role, Role] = ("interviewer", "candidate")  # the order the tickets are made in


async def interview_tickets(stack: NetnsStack, minutes: int = 10) -> list[str]:
    """An active interview with its room: [interviewer's ticket, candidate's ticket], which
    /api/join trades for TURN credentials of their own. Run it with `stack.run(…)`."""
    live = await make_live_event(stack.db, interviewers=1, candidates=1)
    room = await stack.app[JANUS].create_private_room(participants=2)
    interview = await stack.db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', $4, $5, now(), now(),
                now() + make_interval(mins => $6)) RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
        room.server,
        room.room_id,
        minutes,
    )
    return [
        mint_ticket(stack.settings, room, index, role, role, f"interview:{interview}:{role}")
        for index, role in enumerate(ROLES)
    ]


def chromium_args(stack: NetnsStack) -> list[str]:
    """The test suite's Chromium switches (tests/browser/conftest.py) for inside the namespace:
    media over the veth addresses, not loopback; coturn's self-signed certificate (and only
    that one) trusted by its key, as browsers trust a deployment's real one; the app's
    plain-HTTP address counted as a secure origin, as HTTPS is in a deployment and 127.0.0.1
    is locally (else no camera: navigator.mediaDevices is missing). Firefox needs the same
    two: the certificate trusted, and media.devices.insecure.enabled or HTTPS."""
    return [
        *(arg for arg in CHROMIUM_ARGS if arg != "--allow-loopback-in-peer-connection"),
        f"--ignore-certificate-errors-spki-list={stack.turn_spki}",
        f"--unsafely-treat-insecure-origin-as-secure={stack.base_url}",
    ]


def chromium_wrapper(namespace: Namespace, folder: Path, chromium: str) -> Path:
    """A script that Playwright can launch as `executable_path`: Chromium, inside the
    namespace (Playwright talks to it over a pipe, which `ip netns exec` passes on)."""
    script = folder / "chromium-in-netns"
    script.write_text("#!/bin/sh\nexec " + " ".join(namespace.exec_argv([chromium])) + ' "$@"\n')
    script.chmod(0o755)
    return script


# Before any script of the page: every RTCPeerConnection it makes is kept, for its stats.
KEEP_PEER_CONNECTIONS = """(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__peerConnections) return;
  window.__peerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__peerConnections.push(this); }
  };
})();"""

# Video frames decoded so far, summed over the page's open peer connections.
FRAMES_DECODED = """async () => {
  let frames = 0;
  for (const pc of window.__peerConnections || []) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
    });
  }
  return frames;
}"""

# The selected path of each connected peer connection (web/static/js/live/connection-path.js).
PATHS = """async () => {
  const { connectionPath } = await import("/static/js/live/connection-path.js");
  const found = [];
  for (const pc of window.__peerConnections || []) {
    if (pc.connectionState !== "connected") continue;
    const path = await connectionPath(pc);
    if (path) found.push(path);
  }
  return found;
}"""


async def frames_decoded(page) -> int:
    return await page.evaluate(FRAMES_DECODED)


async def frames_flowing(page, frames: int = 15, timeout: float = 30) -> float:
    """Wait until `frames` more video frames have been decoded on `page` than when called;
    returns the seconds it took. Raises TimeoutError when they do not come."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    first = await frames_decoded(page)
    while True:
        now = await frames_decoded(page)
        # A new peer connection (a restart) starts counting again from 0.
        first = min(first, now)
        if now - first >= frames:
            return loop.time() - started
        if loop.time() - started > timeout:
            raise TimeoutError(f"{now - first} video frames decoded in {timeout:.0f} s, wanted {frames}")
        await asyncio.sleep(0.2)


async def connection_paths(page) -> list[dict]:
    """[{type, protocol, relayProtocol, …}] for each connected peer connection of `page`."""
    return await page.evaluate(PATHS)
