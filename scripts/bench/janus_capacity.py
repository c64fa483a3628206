"""`scripts/bench-janus`: how many interviews one Janus CPU core carries.

K interviews at once, each a room made by the app's own Janus wrapper (JanusPool's
create_private_room, tickets minted and read as the control plane does; the "bare" path of
scripts/bench-join) with two aiortc peers that publish a fake camera and microphone and
subscribe to each other, as tests/integration/test_live_aiortc.py's clients do (its
JanusSession is reused). While media flows, the Janus process's CPU time (utime + stime from
/proc/<pid>/stat) is read over a fixed window, for each K in one run; K=1 is the baseline.
The clients' own CPU and the whole machine's are printed beside it: the aiortc clients
encode and decode every stream in this process, so on a small machine they, not Janus, run
out of CPU first. Figures only, nothing asserted: the machines here are noisy.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import resource
import time

import aioice.ice
from aiohttp import ClientSession
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from av import VideoFrame

from scripts.bench.common import argument_parser, stack_environ

TICK = os.sysconf("SC_CLK_TCK")
WARM_UP = 4.0  # seconds after the first frames: the encoders settle on their bitrate


def janus_pid() -> int:
    """The Janus that this run started: a descendant of this process named janus (another
    session's Janus on the machine must not be counted)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/comm") as f:
                    parents[int(entry)] = (int(fields[1]), f.read().strip())
            except OSError:
                continue
    for pid, (_, name) in parents.items():
        ancestor = pid
        while ancestor in parents and ancestor != os.getpid():
            ancestor = parents[ancestor][0]
        if name == "janus" and ancestor == os.getpid():
            return pid
    raise RuntimeError("no Janus among this process's descendants (with --reuse, pass --janus-pid)")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread: aiortc codes in threads
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Camera(VideoStreamTrack):
    """aiortc's own VideoStreamTrack sends a flat green picture, which VP8 squeezes to almost
    nothing; a camera's picture changes. A blocky texture moving 2 px a frame keeps the
    encoder near its target bitrate while costing the client little to make."""

    def __init__(self, width: int = 320, height: int = 240):
        super().__init__()
        self.width, self.height = width, height
        # 8x8 blocks of random grey, each row twice as wide so that a shifted row is a slice.
        blocks = [bytes(random.randrange(256) for _ in range(width // 8)) for _ in range(height // 8)]
        self.rows = [bytes(b for b in blocks[y // 8] for _ in range(8)) * 2 for y in range(height)]
        self.chroma = bytes([128]) * (width * height // 4)
        self.shift = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        self.shift = (self.shift + 2) % self.width
        frame = VideoFrame(self.width, self.height, "yuv420p")
        frame.planes[0].update(b"".join(row[self.shift : self.shift + self.width] for row in self.rows))
        frame.planes[1].update(self.chroma)
        frame.planes[2].update(self.chroma)
        frame.pts, frame.time_base = pts, time_base
        return frame


def description(pc: RTCPeerConnection) -> dict:
    return {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp, "trickle": False}


def remote(jsep: dict) -> RTCSessionDescription:
    return RTCSessionDescription(type=jsep["type"], sdp=jsep["sdp"])


class Side:
    """One participant: publishes audio + video, then subscribes to the other's feed and
    keeps reading the remote tracks (unread frames would pile up in aiortc's queues)."""

    def __init__(self, session, join: dict):
        self.session, self.join = session, join
        self.peers: list[RTCPeerConnection] = []
        self.frames = {"audio": 0, "video": 0}
        self.readers: list[asyncio.Task] = []

    def peer(self) -> RTCPeerConnection:
        self.peers.append(RTCPeerConnection(RTCConfiguration(iceServers=[])))
        return self.peers[-1]

    async def publish(self) -> None:
        self.publisher = await self.session.attach()
        joined = await self.session.message(
            self.publisher,
            {
                "request": "join",
                "ptype": "publisher",
                "room": self.join["room"],
                "pin": self.join["pin"],
                "token": self.join["room_token"],
                "display": self.join["display"],
            },
        )
        data = joined["plugindata"]["data"]
        self.feed_id, self.private_id = data["id"], data["private_id"]
        self.others = list(data.get("publishers", []))
        pc = self.peer()
        pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        pc.addTransceiver(Camera(), direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        configured = await self.session.message(
            self.publisher, {"request": "configure", "audio": True, "video": True}, description(pc)
        )
        await pc.setRemoteDescription(remote(configured["jsep"]))

    async def subscribe(self) -> None:
        while not self.others:  # the other side joined after this one: Janus announces it
            event = await asyncio.wait_for(self.session.events[self.publisher].get(), 20)
            self.others += event.get("plugindata", {}).get("data", {}).get("publishers", [])
        handle = await self.session.attach()
        pc = self.subscriber = self.peer()
        first = asyncio.get_running_loop().create_future()

        async def read(track) -> None:
            while True:
                await track.recv()
                self.frames[track.kind] += 1
                if track.kind == "video" and not first.done():
                    first.set_result(None)

        pc.on("track", lambda track: self.readers.append(asyncio.create_task(read(track))))
        attached = await self.session.message(
            handle,
            {
                "request": "join",
                "ptype": "subscriber",
                "room": self.join["room"],
                "pin": self.join["pin"],
                "private_id": self.private_id,
                "streams": [{"feed": self.others[0]["id"]}],
            },
        )
        await pc.setRemoteDescription(remote(attached["jsep"]))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.session.message(handle, {"request": "start", "room": self.join["room"]}, description(pc))
        await asyncio.wait_for(first, 20)  # a decoded frame of the other's video

    async def received_bytes(self) -> int:
        """What Janus sent this side: bytes received on its subscription's transport (aiortc's
        inbound-rtp stats have packets but no bytes; this counts SRTP and RTCP, bundled)."""
        report = await self.subscriber.getStats()
        return sum(s.bytesReceived for s in report.values() if s.type == "transport")

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(pc.close() for pc in self.peers), return_exceptions=True)


async def measure(k: int, seconds: float, settings, rooms, pid: int, http) -> dict:
    from app.live.dispatch import close_room
    from app.tickets import Role, mint_ticket, read_ticket

    roles: tuple[Role, Role] = ("candidate", "interviewer")
    from tests.integration.test_live_aiortc import JanusSession

    made, sockets, sides = [], [], []
    try:
        for _ in range(k):
            room = await rooms.create_private_room(2, "janus capacity benchmark")
            made.append(room)
            for index, role in enumerate(roles):
                join = dataclasses.asdict(
                    read_ticket(
                        settings, mint_ticket(settings, room, index, role, role.title(), f"bench:{role}")
                    )
                )
                ws = await http.ws_connect(join["janus_url"], protocols=("janus-protocol",))
                session = JanusSession(ws, join["janus_token"])
                sockets.append(session)
                await session.create()
                sides.append(Side(session, join))
        for side in sides:
            await side.publish()
        await asyncio.gather(*(side.subscribe() for side in sides))
        await asyncio.sleep(WARM_UP)
        bytes_before = [await side.received_bytes() for side in sides]
        frames_before = [dict(side.frames) for side in sides]
        janus_before, own_before, busy_before = cpu_seconds(pid), own_cpu_seconds(), machine_busy()
        started = time.monotonic()
        await asyncio.sleep(seconds)
        window = time.monotonic() - started
        janus_cpu, own_cpu = cpu_seconds(pid) - janus_before, own_cpu_seconds() - own_before
        busy_after = machine_busy()
        received = [await side.received_bytes() - b for side, b in zip(sides, bytes_before)]
        video_fps = [(side.frames["video"] - f["video"]) / window for side, f in zip(sides, frames_before)]
    finally:
        for side in sides:
            await side.close()
        for session in sockets:
            await session.close()
        for room in made:
            await close_room(rooms, room.server, room.room_id, room.secret)
    return {
        "interviews": k,
        "window": window,
        "janus_cpu": janus_cpu,
        "client_cpu": own_cpu,
        "machine_busy": (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1]),
        "forwarded_kbit_s": sum(received) * 8 / window / 1000,
        "min_subscriber_kbit_s": min(received) * 8 / window / 1000,
        "min_video_fps": min(video_fps),
        "mean_video_fps": sum(video_fps) / len(video_fps),
    }


async def run(args, environ: dict[str, str]) -> dict:
    from app.janus.pool import JanusPool
    from app.settings import load_settings

    # aioice leaves 127.0.0.1 out; Janus offers only loopback here (as in the aiortc test).
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
    settings = load_settings(environ)
    pid = args.janus_pid or janus_pid()
    rooms = JanusPool(settings.janus)
    rooms.start()
    results = []
    try:
        for connection in rooms.connections.values():
            await connection.wait_ready(20)
        # Janus's own CPU with no media: its event loops and keepalives, not per interview.
        before = cpu_seconds(pid)
        await asyncio.sleep(5)
        idle = (cpu_seconds(pid) - before) / 5
        print(
            f"Janus pid {pid}, idle {idle * 100:.2f} % of a core; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        async with ClientSession() as http:
            for k in args.interviews:
                result = await measure(k, args.seconds, settings, rooms, pid, http)
                results.append(result)
                print(
                    f"  K={k}: Janus {result['janus_cpu']:.2f} CPU s, clients "
                    f"{result['client_cpu']:.2f} CPU s in {result['window']:.1f} s, "
                    f"load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    finally:
        await rooms.stop()
    return {"idle_janus_fraction": idle, "cores": os.cpu_count(), "runs": results}


def report(figures: dict) -> None:
    idle = figures["idle_janus_fraction"]
    print(
        "\nPer K (Janus CPU net of its idle rate, per interview-second; an interview = 2 "
        "publishers + 2 subscribers, audio + VP8 video):"
    )
    print(
        f"{'K':>3} {'Janus CPU s / interview-s':>26} {'interviews / Janus core':>24} "
        f"{'vs K=1':>7} {'forwarded kbit/s':>17} {'per interview':>14} {'min video fps':>14} "
        f"{'Janus % core':>13} {'clients % core':>15} {'machine busy':>13}"
    )
    baseline = None
    for r in figures["runs"]:
        k, window = r["interviews"], r["window"]
        per = max(r["janus_cpu"] / window - idle, 1e-9) / k
        r["janus_cpu_per_interview_second"] = per
        r["interviews_per_core"] = 1 / per
        baseline = baseline or per
        r["ratio_to_baseline"] = per / baseline
        print(
            f"{k:3d} {per:26.4f} {1 / per:24.0f} {per / baseline:6.2f}x "
            f"{r['forwarded_kbit_s']:17.0f} {r['forwarded_kbit_s'] / k:14.0f} "
            f"{r['min_video_fps']:14.1f} {r['janus_cpu'] / window * 100:12.1f}% "
            f"{r['client_cpu'] / window * 100:14.0f}% {r['machine_busy'] * 100:12.0f}%"
        )
    print(
        "(clients % core: this process, all of its threads, out of "
        f"{figures['cores'] * 100} %; machine busy: all cores, every process)"
    )


def main() -> int:
    parser = argument_parser("scripts/bench-janus", __doc__)
    parser.add_argument(
        "--interviews",
        default="1,2,4",
        type=lambda s: [int(k) for k in s.split(",")],
        help="interviews at once, one measurement each (the first is the baseline)",
    )
    parser.add_argument("--seconds", type=float, default=20, help="measuring window per K")
    parser.add_argument("--janus-pid", type=int, help="the Janus process to read (with --reuse)")
    args = parser.parse_args()
    with stack_environ(args.reuse) as environ:
        figures = asyncio.run(run(args, environ))
    report(figures)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
