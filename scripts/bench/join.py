"""The join-time benchmark: scripts/bench-join [--repetitions N] [--reuse]
[--no-candidate-page] [--json FILE].

Real headless Chromium (Debian's, fake camera and microphone), two browser contexts: an
interviewer already in the room and publishing, and a candidate who presses *Join*. The
time from that press to the first decoded remote video frame (inbound-rtp framesDecoded > 0,
polled every 5 ms by scripts/bench/pages/measure.js) on each side, along two paths in the
same run, taking turns:

- bare: the two browsers join a Janus room directly; the benchmark made the room and hands
  each page its join info (no control plane at all: RoomCall straight to Janus);
- control plane: the candidate's socket, `accept` → `ticket` (with its join info; from an
  app without it, POST /api/join) → RoomCall, in a room the dispatcher made when the
  interviewer pressed *Next* (scripts/bench/pages/join.html, a minimal page on the same
  modules as the real ones);
- candidate page: the real candidate page (/c/{token}, web/static/js/live/candidate.js): its
  device check, *Check in*, the waiting room, then its Join button when the offer comes; same
  control plane (off with --no-candidate-page).

The interviewer is on the minimal page in all three: in the room and publishing before the
candidate's press, as on the event day.

Both paths use web/static/js/janus-room.js (RoomCall) for the media part.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import sys
from urllib.parse import quote

import asyncpg

from scripts.bench.common import (
    ROOT,
    AppProcess,
    argument_parser,
    run_and_report,
    seed_one_to_one,
    summary,
)

PAGES = ROOT / "scripts" / "bench" / "pages"
TIMEOUT_MS = 20000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]
# web/templates/candidates/_live.html: Check in, the waiting room's Leave, the offer's Join
REAL_CHECK_IN, REAL_WAITING, REAL_JOIN = "[data-checkin]", "[data-leave-queue]", "[data-join]"
BOTH_FRAMES = "window.__bench && window.__bench.firstFrameAt !== null"


async def until(page, condition: str, timeout_ms: float = TIMEOUT_MS):
    """Wait until the JavaScript expression `condition` holds in the page; its value. Not
    page.wait_for_function: that evaluates through eval, which the app's
    Content-Security-Policy (no 'unsafe-eval') refuses; page.evaluate goes through DevTools."""
    waiting = page.evaluate(
        f"""() => new Promise((resolve) => {{
          const look = () => {{ const value = ({condition}); value ? resolve(value) : setTimeout(look, 5); }};
          look();
        }})"""
    )
    return await asyncio.wait_for(waiting, timeout_ms / 1000)


@dataclasses.dataclass
class Sample:
    path: str
    candidate: float  # Join press -> candidate decodes the interviewer's video (ms)
    interviewer: float  # Join press -> interviewer decodes the candidate's video (ms)
    signalling: float  # Join press -> the candidate's page opens its socket to Janus (ms)

    @property
    def both(self) -> float:
        return max(self.candidate, self.interviewer)


class Bench:
    def __init__(self, settings, app: AppProcess, browser, db, rooms):
        self.settings, self.app, self.browser, self.db, self.rooms = (settings, app, browser, db, rooms)

    async def context(self, cookies: list[dict] | None = None):
        context = await self.browser.new_context(base_url=self.app.url, permissions=["camera", "microphone"])
        await context.add_init_script(path=str(PAGES / "measure.js"))
        if cookies:
            await context.add_cookies(cookies)
        return context

    async def page(self, context, fragment: dict):
        page = await context.new_page()
        await page.goto(f"/bench-pages/join.html#{quote(json.dumps(fragment))}")
        await until(page, "window.page && window.page.ready")
        return page

    async def interviewer_in(self, page) -> None:
        """The interviewer presses Join and is publishing (ICE connected) before the
        candidate's press, on both paths."""
        await page.click("#join")
        await until(page, "window.__bench.connected")

    async def measure(self, path: str, candidate_page, interviewer_page, join_selector="#join"):
        await candidate_page.click(join_selector)
        for page in (candidate_page, interviewer_page):
            await until(page, BOTH_FRAMES)
        pressed, janus = await candidate_page.evaluate("[window.__bench.pressedAt, window.__bench.janusAt]")
        seen = [
            await page.evaluate("window.__bench.firstFrameAt") for page in (candidate_page, interviewer_page)
        ]
        return Sample(path, seen[0] - pressed, seen[1] - pressed, janus - pressed)

    async def bare(self) -> Sample:
        from app.live.dispatch import close_room
        from app.tickets import Role, mint_ticket, read_ticket

        roles: tuple[Role, Role] = ("candidate", "interviewer")
        room = await self.rooms.create_private_room(2, "join benchmark")
        joins = [
            dataclasses.asdict(
                read_ticket(
                    self.settings,
                    mint_ticket(self.settings, room, index, role, role.title(), f"bench:{role}"),
                )
            )
            for index, role in enumerate(roles)
        ]
        contexts = [await self.context(), await self.context()]
        try:
            interviewer = await self.page(contexts[1], {"mode": "bare", "join": joins[1]})
            await self.interviewer_in(interviewer)
            candidate = await self.page(contexts[0], {"mode": "bare", "join": joins[0]})
            return await self.measure("bare", candidate, interviewer)
        finally:
            for context in contexts:
                await context.close()
            await close_room(self.rooms, room.server, room.room_id, room.secret)

    async def seed(self, checked_in: bool = True) -> tuple[int, list[dict], list[dict]]:
        event_id, interviewer, candidate = await seed_one_to_one(self.db, "Join benchmark", checked_in)
        return event_id, self.cookies("c", candidate), self.cookies("i", interviewer)

    def cookies(self, side: str, person) -> list[dict]:
        """The session cookie a right PIN or code sets, minted with the app's key."""
        from app.link_sessions import CANDIDATE_SESSION, INTERVIEWER_SESSION

        session = CANDIDATE_SESSION if side == "c" else INTERVIEWER_SESSION
        secret = self.settings.app.secret_key.get_secret_value()
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
        return [
            {
                "name": session.cookie,
                "value": session.encode(secret, person["id"], expires, person["access_token"]),
                "domain": "127.0.0.1",
                "path": f"/{side}/{person['access_token']}",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]

    def token(self, cookies: list[dict]) -> str:
        return cookies[0]["path"].rsplit("/", 1)[1]

    async def control_plane(self, real_page: bool = False) -> Sample:
        event_id, candidate_cookies, interviewer_cookies = await self.seed(checked_in=not real_page)
        contexts = [await self.context(candidate_cookies), await self.context(interviewer_cookies)]
        try:
            if real_page:  # as on the day: the page's device check, then Check in
                candidate = await contexts[0].new_page()
                await candidate.goto(f"/c/{self.token(candidate_cookies)}")
                await candidate.locator(REAL_CHECK_IN).click(timeout=TIMEOUT_MS)
                await candidate.locator(REAL_WAITING).wait_for(state="visible", timeout=TIMEOUT_MS)
            else:
                candidate = await self.page(
                    contexts[0], {"mode": "candidate", "token": self.token(candidate_cookies)}
                )
            interviewer = await self.page(
                contexts[1], {"mode": "interviewer", "token": self.token(interviewer_cookies)}
            )
            await self.interviewer_in(interviewer)  # presses Next: dispatched, in the room
            if real_page:  # its Join button shows when the offer comes
                await candidate.locator(REAL_JOIN).wait_for(state="visible", timeout=TIMEOUT_MS)
                return await self.measure("candidate page", candidate, interviewer, join_selector=REAL_JOIN)
            await until(candidate, "window.page.offer !== null")
            return await self.measure("control plane", candidate, interviewer)
        finally:
            for context in contexts:
                await context.close()
            await self.close_rooms(event_id)

    async def close_rooms(self, event_id: int) -> None:
        from app.live.dispatch import close_room

        for row in await self.db.fetch(
            """
                UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'interviewer'
                WHERE event_id = $1 AND state IN ('offered', 'active')
                RETURNING janus_server, room_id, room_secret""",
            event_id,
        ):
            await close_room(self.rooms, *row)


async def run(args: argparse.Namespace, environ: dict[str, str]) -> dict:
    from playwright.async_api import async_playwright

    from app.janus.pool import JanusPool
    from app.settings import load_settings

    settings = load_settings(environ)
    db = await asyncpg.connect(settings.database.url.get_secret_value())
    app = AppProcess({**environ, "BENCH_PAGES": str(PAGES)}, module="scripts.bench.app_runner")
    rooms = JanusPool(settings.janus)
    samples: list[Sample] = []
    try:
        await app.start()
        rooms.start()
        for connection in rooms.connections.values():
            await connection.wait_ready(20)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True
            )
            bench = Bench(settings, app, browser, db, rooms)
            paths = [bench.bare, bench.control_plane]
            if args.candidate_page:
                paths.append(lambda: bench.control_plane(real_page=True))
            await bench.bare()  # warm-up: Chromium's first WebRTC call is slower
            for repetition in range(args.repetitions):
                for measure in paths if repetition % 2 == 0 else reversed(paths):
                    sample = await measure()
                    samples.append(sample)
                    print(
                        f"  {repetition + 1:3d} {sample.path:15s} candidate "
                        f"{sample.candidate:7.0f} ms   interviewer {sample.interviewer:7.0f} ms"
                        f"   (to Janus {sample.signalling:5.0f} ms)",
                        flush=True,
                    )
            await browser.close()
    finally:
        await rooms.stop()
        await app.stop()
        await db.close()
    figures: dict = {"repetitions": args.repetitions, "paths": {}}
    for path in dict.fromkeys(s.path for s in samples):
        mine = [s for s in samples if s.path == path]
        figures["paths"][path] = {
            side: summary([getattr(s, side) for s in mine])
            for side in ("candidate", "interviewer", "both", "signalling")
        }
    return figures


def report(figures: dict) -> None:
    print()
    print(
        f"Join benchmark: Join press -> first decoded remote video frame, "
        f"{figures['repetitions']} repetitions per path, milliseconds"
    )
    print(
        "  (side 'both' = the later of the two; 'signalling' = press -> the candidate's page "
        "opens its Janus socket)"
    )
    print(f"  {'path':15s} {'side':12s} {'median':>8s} {'p90':>8s}")
    for path, sides in figures["paths"].items():
        for side, values in sides.items():
            print(f"  {path:15s} {side:12s} {values['p50']:8.0f} {values['p90']:8.0f}")
    bare = figures["paths"].get("bare", {}).get("both")
    for path, sides in figures["paths"].items():
        if path != "bare" and bare:
            both = sides["both"]
            print(
                f"  {path} / bare, both sides: median {both['p50'] / bare['p50']:.2f} x, "
                f"p90 {both['p90'] / bare['p90']:.2f} x   (aim: <= 1.2 x, under 1000 ms)"
            )


def main() -> int:
    parser = argument_parser("scripts/bench-join", __doc__)
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument(
        "--candidate-page",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the real candidate page's Join button (default on)",
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    return run_and_report(parser.parse_args(), run, report)


if __name__ == "__main__":
    sys.exit(main())
