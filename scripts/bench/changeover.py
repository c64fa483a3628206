"""The changeover benchmark: scripts/bench-changeover [--repetitions N] [--floor-rounds N]
[--reaction MS] [--press MS] [--reuse] [--json FILE] [--app-root DIR] [--patch FILE].

From the interviewer's *Next* press to the first decoded remote video frame on BOTH pages,
in real headless Chromium (Debian's, fake camera and microphone, the flags of
tests/browser/conftest.py), on the real pages: the interviewer's meeting web (/i/{token})
and the candidate's page (/c/{token}), both signed in (the session cookies a right code and
PIN set), the candidate checked in with the page's own *Check in* and waiting. The
candidate accepts the way a user does, by pressing the *Join* button the page shows, at
once: the benchmark's press follows the button's appearing by a few milliseconds (printed
as "reaction"), and that time counts against the changeover, not for it.

--reaction MS: the press comes MS after Join shows instead, as a person's would (a few
hundred milliseconds at the quickest): what the page does ahead of the press while the
offer shows (it waits in the room: docs/calls.md, "Joining fast") then has the time it has
on the event day. The reaction is the person's, not the service's: the figure printed
beside the whole is "the users' wait", the changeover without it (Next → Join shows, then
the press → video on both sides), against the same baseline.

--press MS: the mouse button is held down MS before it is let go (a hand's click takes about
a tenth of a second; default at once). The press counts from the click, as it is let go;
what the page starts as the press begins (the camera: docs/calls.md, "Joining fast") has
that much of a head start.

Beside it, in the same run, taking turns with it, the baseline the aim names:

- bare dispatch: the floor of scripts/bench-dispatch (scripts/bench/dispatch.py `floor`):
  the dispatcher's own statement committed, its NOTIFY heard by another connection's LISTEN,
  which writes the `offer` as one WebSocket frame over loopback; timed until the client has
  it (p50 of --floor-rounds rounds, each repetition);
- bare Janus join: two fresh pages join a room the benchmark made, straight through janus.js
  (scripts/bench/pages/join.html, RoomCall, no control plane), both pressing *Join* at the
  same moment: that moment → the first decoded remote video frame on both sides.

The figure: changeover / (bare dispatch + bare Janus join), p50 to p50 and p90 to p90; aim
≤ 1.1×. Each changeover is also taken apart from marks in both pages
(scripts/bench/pages/changeover.js): the offer shown, the press, the `ticket`, each page's
first message to Janus, its join, its first remote frame.

--app-root: another checkout's app and pages (e.g. main's, as the baseline of a change:
`git worktree add /tmp/base main`, with web/static/vendor copied in), the benchmark's own
pages and measurement from this one.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
from pathlib import Path

from scripts.bench.common import ROOT, AppProcess, argument_parser, run_and_report, summary
from scripts.bench.dispatch import floor, seed
from scripts.bench.join import PAGES, REAL_CHECK_IN, REAL_JOIN, REAL_WAITING, Bench, until

TIMEOUT_S = 30.0
SETTLE_S = 1.0  # a candidate waits a while before their turn; the pages' own work settles
FIRST_FRAME = "window.__bench.firstFrameAt"  # measure.js: the first decoded remote frame
# What each page marked, and when its (first) POST /api/join was answered.
PAGE_MARKS = """() => ({
  bench: window.__bench, marks: window.__changeover,
  joinAnswered: performance.getEntriesByType("resource")
    .filter((entry) => entry.name.endsWith("/api/join"))
    .map((entry) => performance.timeOrigin + entry.responseEnd)[0] ?? null,
})"""


# The pieces of a changeover one by one (marks of steps_of), each taken within one sample:
# the p50 of a difference, not a difference of p50s.
SPANS = [
    ("c: offer message", "c: Join shows"),
    ("c: Join pressed", "c: ticket reply"),
    ("c: ticket reply", "c: Janus socket made"),
    ("c: Janus socket made", "c: Janus socket open"),
    ("c: first message to Janus", "c: joined the room"),
    ("c: joined the room", "c: publish offer sent"),
    ("c: publish offer sent", "i: Janus offers the subscription"),
    ("c: publish offer sent", "c: first webrtcup"),
    ("c: first webrtcup", "c: first remote frame"),
    ("i: Janus offers the subscription", "i: first remote frame"),
    ("i: dispatched reply", "i: Janus socket made"),
]


def chromium_args() -> list[str]:
    """The browser tests' flags (tests/browser/conftest.py), so both see the same Chromium."""
    from tests.browser.conftest import CHROMIUM_ARGS

    return list(CHROMIUM_ARGS)


@dataclasses.dataclass
class Changeover:
    candidate: float  # Next press -> the candidate's first decoded remote frame (ms)
    interviewer: float  # Next press -> the interviewer's first decoded remote frame (ms)
    reaction: float  # the Join button shows -> the benchmark's press of it (ms)
    steps: dict[str, float]  # marks of both pages, ms after the Next press

    @property
    def spans(self) -> dict[str, float]:
        """The time between two marks of this changeover (SPANS), where both were made."""
        return {
            f"{start} -> {end.partition(': ')[2]}": self.steps[end] - self.steps[start]
            for start, end in SPANS
            if start in self.steps and end in self.steps
        }

    @property
    def both(self) -> float:
        return max(self.candidate, self.interviewer)

    @property
    def waited(self) -> float:
        """The users' wait: the whole without the person's reaction to Join."""
        return self.both - self.reaction


@dataclasses.dataclass
class BareJoin:
    candidate: float  # the simultaneous Join press -> the candidate page's first frame (ms)
    interviewer: float

    @property
    def both(self) -> float:
        return max(self.candidate, self.interviewer)


class ChangeoverBench(Bench):
    async def context(self, cookies: list[dict] | None = None):
        context = await super().context(cookies)
        await context.add_init_script(path=str(PAGES / "changeover.js"))
        return context

    async def changeover(self) -> Changeover:
        event_id, candidate_cookies, interviewer_cookies = await self.seed(checked_in=False)
        contexts = [await self.context(candidate_cookies), await self.context(interviewer_cookies)]
        try:
            candidate = await contexts[0].new_page()
            await candidate.goto(f"/c/{self.token(candidate_cookies)}")
            await candidate.locator(REAL_CHECK_IN).click(timeout=TIMEOUT_S * 1000)
            await candidate.locator(REAL_WAITING).wait_for(state="visible", timeout=TIMEOUT_S * 1000)
            interviewer = await contexts[1].new_page()
            await interviewer.goto(f"/i/{self.token(interviewer_cookies)}")
            await interviewer.locator("#queue li").first.wait_for(timeout=TIMEOUT_S * 1000)
            await asyncio.sleep(SETTLE_S)
            # The candidate's press, as soon as Join shows (a trusted click, through DevTools).
            join = asyncio.create_task(self.press_when_shown(candidate))
            await interviewer.locator("#next").click(timeout=TIMEOUT_S * 1000)
            await asyncio.wait_for(join, TIMEOUT_S)
            seen = [await until(page, FIRST_FRAME, TIMEOUT_S * 1000) for page in (candidate, interviewer)]
            c, i = [await page.evaluate(PAGE_MARKS) for page in (candidate, interviewer)]
            pressed = i["bench"]["pressedAt"]
            reaction = c["bench"]["pressedAt"] - c["marks"]["shown"]["join"]
            return Changeover(seen[0] - pressed, seen[1] - pressed, reaction, steps_of(pressed, c, i))
        finally:
            for context in contexts:
                await context.close()
            await self.close_rooms(event_id)

    reaction_s = 0.0  # --reaction: from Join shown to the press
    press_ms = 0.0  # --press: the mouse button down this long

    async def press_when_shown(self, page) -> None:
        """The candidate's press of Join the moment it shows: its middle, as soon as the page
        has drawn it, then a trusted mouse click there (through DevTools: what a hand does;
        Playwright's locator.click would first wait for the button to stand still over
        animation frames, tens of milliseconds that are the benchmark's, not the app's)."""
        x, y = await page.evaluate(
            """(join) => window.__changeover.joinShown.then(() => {
                 const box = document.querySelector(join).getBoundingClientRect();
                 return [box.x + box.width / 2, box.y + box.height / 2];
               })""",
            REAL_JOIN,
        )
        if self.reaction_s:
            await asyncio.sleep(self.reaction_s)
        await page.mouse.click(x, y, delay=self.press_ms)

    async def bare_join(self) -> BareJoin:
        """Two fresh pages join one room straight through janus.js, pressing Join together."""
        from app.live.dispatch import close_room
        from app.tickets import Role, mint_ticket, read_ticket

        roles: tuple[Role, Role] = ("candidate", "interviewer")
        room = await self.rooms.create_private_room(2, "changeover benchmark")
        contexts = [await self.context(), await self.context()]
        try:
            pages = []
            for index, (role, context) in enumerate(zip(roles, contexts)):
                join = read_ticket(
                    self.settings,
                    mint_ticket(self.settings, room, index, role, role.title(), f"bench:{role}"),
                )
                pages.append(await self.page(context, {"mode": "bare", "join": dataclasses.asdict(join)}))
            await asyncio.sleep(SETTLE_S)
            # One moment for both, a little ahead: each page presses by its own timer then.
            at = await pages[0].evaluate("() => performance.timeOrigin + performance.now() + 300")
            for page in pages:
                await page.evaluate(
                    """(at) => setTimeout(() => document.getElementById("join").click(),
                                          at - (performance.timeOrigin + performance.now()))""",
                    at,
                )
            seen = [await until(page, FIRST_FRAME, TIMEOUT_S * 1000) for page in pages]
            pressed = min([await page.evaluate("() => window.__bench.pressedAt") for page in pages])
            return BareJoin(seen[0] - pressed, seen[1] - pressed)
        finally:
            for context in contexts:
                await context.close()
            await close_room(self.rooms, room.server, room.room_id, room.secret)


def steps_of(pressed: float, candidate: dict, interviewer: dict) -> dict[str, float]:
    """The marks of one changeover, in ms after the Next press (absent ones left out)."""

    def first(entries: list, what: str) -> float | None:
        return next((at for at, kind in entries if kind == what or kind.startswith(what + " ")), None)

    c, i = candidate["marks"], interviewer["marks"]
    marks = {
        "i: dispatched reply": first(i["live"], "dispatched"),
        "c: offer message": first(c["live"], "offer"),
        "c: Join shows": c["shown"].get("join"),
        "c: Join pressed": candidate["bench"]["pressedAt"],
        "c: ticket reply": first(c["live"], "ticket"),
        "c: POST /api/join answered": candidate["joinAnswered"],
        "i: POST /api/join answered": interviewer["joinAnswered"],
        "i: state with the offer (banner)": i["shown"].get("ownOffer"),
        "i: interview shown": i["shown"].get("interview"),
        "c: Janus socket made": (c.get("sockets") or [[None]])[0][0],
        "c: Janus socket open": (c.get("sockets") or [[None, None]])[0][1],
        "i: Janus socket made": (i.get("sockets") or [[None]])[0][0],
        "i: Janus socket open": (i.get("sockets") or [[None, None]])[0][1],
        "c: first message to Janus": first(c["sent"], "create"),
        "i: first message to Janus": first(i["sent"], "create"),
        "c: joined the room": first(c["janus"], "event joined"),
        "i: joined the room": first(i["janus"], "event joined"),
        "c: publish offer sent": first(c["sent"], "message configure jsep"),
        "i: publish offer sent": first(i["sent"], "message configure jsep"),
        "c: Janus offers the subscription": first(c["janus"], "event attached jsep"),
        "i: Janus offers the subscription": first(i["janus"], "event attached jsep"),
        "c: first webrtcup": first(c["janus"], "webrtcup"),
        "i: first webrtcup": first(i["janus"], "webrtcup"),
        "c: camera asked (last getUserMedia)": (c["media"] or [[None]])[-1][0],
        "c: camera given": (c["media"] or [[None, None]])[-1][1],
        "i: camera asked (last getUserMedia)": (i["media"] or [[None]])[-1][0],
        "i: camera given": (i["media"] or [[None, None]])[-1][1],
        "c: first remote frame": candidate["bench"]["firstFrameAt"],
        "i: first remote frame": interviewer["bench"]["firstFrameAt"],
    }
    return {name: at - pressed for name, at in marks.items() if at is not None}


async def run(args: argparse.Namespace, environ: dict[str, str]) -> dict:
    import asyncpg
    from playwright.async_api import async_playwright

    from app.janus.pool import JanusPool
    from app.settings import load_settings

    settings = load_settings(environ)
    dsn = settings.database.url.get_secret_value()
    db = await asyncpg.connect(dsn)
    # The event day's offer time (the test stack's 5 s is for tests).
    app_environ = {**environ, "BENCH_PAGES": str(PAGES), "SNABB_LIVE_OFFER_SECONDS": "60"}
    if args.patch:
        app_environ["BENCH_PATCH"] = str(Path(args.patch).resolve())
    app = AppProcess(app_environ, module="scripts.bench.app_runner", root=Path(args.app_root or ROOT))
    rooms = JanusPool(settings.janus)
    changeovers: list[Changeover] = []
    bare_joins: list[BareJoin] = []
    floors: list[float] = []  # each repetition's floor p50 (ms)
    load_before = os.getloadavg()
    try:
        await app.start()
        rooms.start()
        for connection in rooms.connections.values():
            await connection.wait_ready(20)
        floor_queue = await seed(db, 1, 1)
        await floor(db, dsn, floor_queue, 20)  # warm-up
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=args.chromium, args=chromium_args(), headless=True
            )
            bench = ChangeoverBench(settings, app, browser, db, rooms)
            bench.reaction_s = args.reaction / 1000
            bench.press_ms = args.press
            await bench.bare_join()  # warm-up: Chromium's first WebRTC call is slower
            await bench.changeover()

            async def bare(repetition: int) -> None:
                floors.append(statistics.median(await floor(db, dsn, floor_queue, args.floor_rounds)) * 1000)
                bare_joins.append(await bench.bare_join())
                print(
                    f"  {repetition + 1:3d} baseline     floor {floors[-1]:6.1f} ms + bare join "
                    f"{bare_joins[-1].both:6.0f} ms (candidate {bare_joins[-1].candidate:.0f}, "
                    f"interviewer {bare_joins[-1].interviewer:.0f})",
                    flush=True,
                )

            async def changeover(repetition: int) -> None:
                changeovers.append(await bench.changeover())
                sample = changeovers[-1]
                print(
                    f"  {repetition + 1:3d} changeover   both {sample.both:6.0f} ms (candidate "
                    f"{sample.candidate:.0f}, interviewer {sample.interviewer:.0f}, reaction "
                    f"{sample.reaction:.0f})",
                    flush=True,
                )

            for repetition in range(args.repetitions):
                for measure in (bare, changeover) if repetition % 2 == 0 else (changeover, bare):
                    await measure(repetition)
            await browser.close()
    finally:
        await rooms.stop()
        await app.stop()
        await db.close()
    steps = sorted({name for sample in changeovers for name in sample.steps})
    return {
        "repetitions": args.repetitions,
        "reaction_asked": args.reaction,
        "press_asked": args.press,
        "app_root": args.app_root,
        "load_average": load_before + os.getloadavg(),
        "changeover": {
            side: summary([getattr(s, side) for s in changeovers])
            for side in ("both", "candidate", "interviewer", "reaction", "waited")
        },
        "floor": summary(floors),
        "bare_join": {
            side: summary([getattr(s, side) for s in bare_joins])
            for side in ("both", "candidate", "interviewer")
        },
        "steps": {name: summary([s.steps[name] for s in changeovers if name in s.steps]) for name in steps},
        "spans": {
            name: summary([s.spans[name] for s in changeovers if name in s.spans])
            for name in dict.fromkeys(name for s in changeovers for name in s.spans)
        },
    }


def report(figures: dict) -> None:
    change, bare, floor_ms = figures["changeover"], figures["bare_join"], figures["floor"]
    print()
    print(
        f"Changeover benchmark: Next press -> first decoded remote video frame on both pages, "
        f"{figures['repetitions']} repetitions, milliseconds"
    )
    print(f"  {'':44s} {'p50':>8s} {'p90':>8s}")
    rows = [
        ("changeover, both sides", change["both"]),
        ("  the candidate's page", change["candidate"]),
        ("  the interviewer's page", change["interviewer"]),
        ("  (in it: Join shown -> pressed)", change["reaction"]),
        ("  the users' wait (the whole without that)", change["waited"]),
        ("bare dispatch (floor, p50 of each repetition)", floor_ms),
        ("bare Janus join, both sides", bare["both"]),
    ]
    for name, values in rows:
        print(f"  {name:44s} {values['p50']:8.1f} {values['p90']:8.1f}")
    base50 = floor_ms["p50"] + bare["both"]["p50"]
    base90 = floor_ms["p90"] + bare["both"]["p90"]
    print(f"  {'baseline: bare dispatch + bare Janus join':44s} {base50:8.1f} {base90:8.1f}")
    print(
        f"  ratio changeover / baseline: p50 {change['both']['p50'] / base50:.2f} x, "
        f"p90 {change['both']['p90'] / base90:.2f} x   (aim: <= 1.1 x)"
    )
    print(
        f"  ratio the users' wait / baseline: p50 {change['waited']['p50'] / base50:.2f} x, "
        f"p90 {change['waited']['p90'] / base90:.2f} x   (press {figures.get('reaction_asked', 0):.0f} ms "
        f"after Join showed, the button held {figures.get('press_asked', 0):.0f} ms)"
    )
    print("  a changeover step by step (ms after the Next press; c: candidate, i: interviewer):")
    for name, values in sorted(figures["steps"].items(), key=lambda item: item[1]["p50"]):
        print(f"    {name:40s} p50 {values['p50']:7.1f}   p90 {values['p90']:7.1f}   (n = {values['n']})")
    print("  its pieces, each within one changeover (ms):")
    for name, values in figures.get("spans", {}).items():
        print(f"    {name:58s} p50 {values['p50']:7.1f}   p90 {values['p90']:7.1f}   (n = {values['n']})")
    if figures.get("app_root"):
        print(f"  the app and its pages from {figures['app_root']}")
    load = " ".join(f"{x:.1f}" for x in figures["load_average"])
    print(f"  machine load average (1/5/15 min) before and after the run: {load}")


def main() -> int:
    parser = argument_parser("scripts/bench-changeover", __doc__)
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--floor-rounds", type=int, default=50, help="floor rounds per repetition")
    parser.add_argument(
        "--reaction", type=float, default=0.0, help="ms from Join shown to the press (default: at once)"
    )
    parser.add_argument(
        "--press", type=float, default=0.0, help="ms the mouse button is held down (default: at once)"
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--app-root", help="run this checkout's app and pages (default: this one)")
    parser.add_argument(
        "--patch",
        help="a Python file the app process runs before it starts "
        "(to measure a change to app/ without making it: scripts/bench/app_runner.py)",
    )
    args = parser.parse_args()
    if args.repetitions < 1 or args.floor_rounds < 1:
        parser.error("need at least one repetition and one floor round")
    if not 0 <= args.reaction <= 10_000 or not 0 <= args.press <= 2_000:
        parser.error("--reaction: 0 to 10000 ms; --press: 0 to 2000 ms")
    return run_and_report(args, run, report)


if __name__ == "__main__":
    sys.exit(main())
