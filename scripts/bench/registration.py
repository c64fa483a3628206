"""The registration benchmark: scripts/bench-registration [--registrations N]
[--concurrency C] [--mail-worker app|process] [--reuse] [--json FILE] [--app-root DIR]
[--waits] [--durable].

C clients register N candidates through the invite page of one event (POST /r/{token}, the
form a browser sends, with its CSRF token) against one app process, and beside it, in the
same run, the baseline: the same rows written by raw asyncpg with C connections, one
transaction each as the registration makes it (lock the event row, count, insert the
candidate, insert its confirmation mail with a body of the real size), into an event of
its own. Printed: registrations per second each way and their ratio (aim: >= 0.6 at
concurrency 20), with the machine's load, and the app process's CPU time per registration
(the page and sending its confirmation, which the load moves far less than the rates).

Two rates for the page: the pages answered (the web process's rate), and the registrations
confirmed: from the first request until the last confirmation mail has been handed to the
SMTP server (the whole system's rate: the mail worker shares the machine's cores whichever
process it runs in). --mail-worker process runs the app with mail.worker_in_app off and the
worker as `python -m app.mail` beside it (DEPLOYMENT.md, "The mail worker"), and prints the
CPU time of each.

Beside those, per registration: PostgreSQL's CPU time and the mail catcher's (the processes
the page shares the cores with), and the commits, WAL records and WAL flushes
(registration_waits.py). --waits samples what the database's backends wait for in each
phase; --durable runs PostgreSQL with fsync and synchronous commits on, as deployed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import re
import secrets
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import asyncpg

from scripts.bench.common import AppProcess, argument_parser, stack_environ, write_json
from scripts.bench.registration_waits import (
    WaitSampler,
    cluster_cpu_seconds,
    database_counters,
    format_waits,
    mail_catcher_pid,
    per_registration,
    postmaster_pid,
)

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def make_event(db: asyncpg.Connection, capacity: int) -> tuple[int, str]:
    from app.events.tokens import link_token

    organization = await db.fetchval(
        "INSERT INTO organization (name) VALUES ($1) RETURNING id", f"Bench AB {secrets.token_hex(3)}"
    )
    token = link_token()
    starts_at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=7)
    event_id = await db.fetchval(
        """
        INSERT INTO event (organization_id, title, job_description, starts_at, duration_minutes,
                           interview_minutes, capacity, language, state, invite_token,
                           invite_open, published_at)
        VALUES ($1, 'Lagerarbetare', 'Du plockar och packar.', $2, 120, 10, $3, 'sv',
                'published', $4, true, now()) RETURNING id""",
        organization,
        starts_at,
        capacity,
        token,
    )
    return event_id, token


async def sample_mail(db: asyncpg.Connection, settings, event_id: int) -> dict:
    """A real confirmation mail of the event, rendered once: the baseline writes its rows."""
    from app.candidates import mails, queries
    from app.i18n import Renderer
    from app.mail import Mailer

    mailer = Mailer(settings, Renderer())
    event = await queries.event_by_id(db, event_id)
    candidate = {
        "id": 1,
        "name": "Kim Kandidat",
        "email": "kim@example.se",
        "language": "sv",
        "access_token": secrets.token_urlsafe(16),
        "pin": "123456",
        "link_generation": 0,  # a first registration's (the calendar entry's SEQUENCE)
    }
    prepared = mails.prepare_confirmation(mailer, settings.app.public_url, event, candidate)
    return {
        "subject": prepared.subject,
        "text_body": prepared.text_body,
        "html_body": prepared.html_body,
        "ics": prepared.ics,
    }


async def baseline(dsn: str, event_id: int, count: int, concurrency: int, mail: dict) -> float:
    """Registrations per second, as raw asyncpg writes them."""
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    numbers = iter(range(count))

    async def client() -> None:
        for n in numbers:
            async with pool.acquire() as connection, connection.transaction():
                await connection.fetchrow("SELECT id, capacity FROM event WHERE id = $1 FOR UPDATE", event_id)
                await connection.fetchval(
                    """SELECT count(*) FROM candidate
                                             WHERE event_id = $1 AND cancelled_at IS NULL""",
                    event_id,
                )
                candidate_id = await connection.fetchval(
                    """
                    INSERT INTO candidate (event_id, name, email, phone, language, access_token,
                                           pin, consented_at)
                    VALUES ($1, 'Kim Kandidat', $2, '', 'sv', $3, '123456', now())
                    RETURNING id""",
                    event_id,
                    f"base{n}-{secrets.token_hex(3)}@example.se",
                    secrets.token_urlsafe(16),
                )
                await connection.execute(
                    """
                    INSERT INTO mail_outbox (message_id, to_address, to_name, language, template,
                                             subject, text_body, html_body, ics, ics_method,
                                             candidate_id, sent_at)
                    VALUES ($1, $2, 'Kim Kandidat', 'sv', 'candidate_registration', $3, $4, $5,
                            $6, 'REQUEST', $7, now())""",
                    f"<{secrets.token_hex(8)}@bench>",
                    f"base{n}@example.se",
                    mail["subject"],
                    mail["text_body"],
                    mail["html_body"],
                    mail["ics"],
                    candidate_id,
                )

    try:
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return count / (time.perf_counter() - started)
    finally:
        await pool.close()


async def through_the_page(base_url: str, token: str, count: int, concurrency: int) -> float:
    """Registrations per second through POST /r/{token}, each client with its own session."""
    numbers = iter(range(count))
    url = f"{base_url}/r/{token}"
    headers = {"Accept-Language": "sv", "Accept": "text/html"}
    refused: list[int] = []

    async def client() -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(url, headers=headers) as response:
                csrf = CSRF_FIELD.search(await response.text())[1]
            for n in numbers:
                form = {
                    "csrf_token": csrf,
                    "name": "Kim Kandidat",
                    "phone": "",
                    "email": f"app{n}-{secrets.token_hex(3)}@example.se",
                    "language": "sv",
                    "consent": "yes",
                }
                # The registration is the POST; its answer is a redirect to the confirmation's
                # own page (app/views/registration.py), a page view like any other, which the
                # raw baseline's rows have no counterpart of: not followed.
                async with http.post(url, data=form, headers=headers, allow_redirects=False) as response:
                    await response.read()
                    if response.status != 303:
                        refused.append(response.status)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    rate = count / (time.perf_counter() - started)
    if refused:
        raise RuntimeError(f"{len(refused)} registrations refused: {sorted(set(refused))}")
    return rate


def shared_processes(postmaster: int | None, mail_catcher: int | None) -> dict[str, Callable[[], float]]:
    """PostgreSQL's and the mail catcher's CPU time so far, those of them that were found."""
    found: dict[str, Callable[[], float]] = {}
    if postmaster is not None:
        found["PostgreSQL"] = functools.partial(cluster_cpu_seconds, postmaster)
    if mail_catcher is not None:
        found["mail catcher"] = functools.partial(cpu_seconds, mail_catcher)
    return found


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user and system), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def mails_drained(db: asyncpg.Connection, timeout: float = 300, poll: float = 0.2) -> None:
    """Wait until the mail worker has sent every mail (the baseline's rows are written sent,
    so what waits is the page's). One probe of the outbox's index of unsent mails: the
    count of the event's unsent mails this once was (a join over every mail and candidate)
    took PostgreSQL up to 47 ms a call under load, polled every 20 ms beside the worker."""
    for _ in range(int(timeout / poll)):
        if not await db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL)"
        ):
            return
        await asyncio.sleep(poll)
    raise RuntimeError("the mail worker did not send every mail in time")


class MailWorkerProcess:
    """`python -m app.mail` beside the app (--mail-worker process)."""

    def __init__(self, app: AppProcess):
        self.app = app
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        output = self.app._output()
        try:
            # BENCH_WORKER_PROFILE=FILE: the worker under cProfile (CPU time), its stats there.
            profile = os.environ.get("BENCH_WORKER_PROFILE")
            profiled = ("-m", "scripts.bench.mail_worker_runner", profile) if profile else ()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                *profiled,
                "-m",
                "app.mail",
                cwd=self.app.root,
                env=self.app.environ,
                stdout=output,
                stderr=output,
            )
        finally:
            if output != asyncio.subprocess.DEVNULL:
                os.close(output)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def run(args, environ: dict[str, str]) -> dict:
    from app.settings import load_settings

    settings = load_settings(environ)
    dsn = settings.database.url.get_secret_value()
    db = await asyncpg.connect(dsn)
    separate = args.mail_worker == "process"
    app = AppProcess(
        {**environ, "SNABB_MAIL_WORKER_IN_APP": "false"} if separate else environ,
        module="scripts.bench.app_runner",
        log_path=Path(args.app_log),
        root=Path(args.app_root).resolve(),
    )
    worker = MailWorkerProcess(app) if separate else None
    sampler = WaitSampler(dsn) if args.waits else None
    figures: dict = {}
    try:
        base_event, _ = await make_event(db, args.registrations * 2)
        _, token = await make_event(db, args.registrations * 2)
        mail = await sample_mail(db, settings, base_event)
        load_before = os.getloadavg()
        # The processes each phase shares the cores with: their CPU time per registration.
        shared = shared_processes(
            await postmaster_pid(db), mail_catcher_pid(environ.get("SNABB_MAIL_SMTP_PORT"))
        )
        print("baseline: raw asyncpg ...", flush=True)
        await baseline(dsn, base_event, min(200, args.registrations), args.concurrency, mail)
        client_before, counters = time.process_time(), await database_counters(db)
        shared_before = {name: cpu() for name, cpu in shared.items()}
        if sampler is not None:
            await sampler.start()
        raw = await baseline(dsn, base_event, args.registrations, args.concurrency, mail)
        baseline_client = (time.process_time() - client_before) / args.registrations * 1000
        figures["baseline_shared_cpu_ms"] = {
            name: (cpu() - shared_before[name]) / args.registrations * 1000 for name, cpu in shared.items()
        }
        if sampler is not None:
            figures["baseline_waits"] = await sampler.stop()
        figures["baseline_database"] = per_registration(
            counters, await database_counters(db), args.registrations
        )
        await app.start()
        if worker is not None:
            await worker.start()
        processes = {"app": app.process.pid} | ({"mail worker": worker.process.pid} if worker else {})
        print("through the invite page ...", flush=True)
        await through_the_page(app.url, token, min(200, args.registrations), args.concurrency)
        await mails_drained(db)
        cpu_before = {name: cpu_seconds(pid) for name, pid in processes.items()}
        counters = await database_counters(db)
        shared_before = {name: cpu() for name, cpu in shared.items()}
        if sampler is not None:
            await sampler.start()
        started, client_before = time.perf_counter(), time.process_time()
        page = await through_the_page(app.url, token, args.registrations, args.concurrency)
        page_client = (time.process_time() - client_before) / args.registrations * 1000
        # The CPU time per registration, its confirmation sent: a figure the machine's load
        # moves far less than the rates.
        await mails_drained(db, poll=0.02)
        confirmed = args.registrations / (time.perf_counter() - started)
        figures["page_shared_cpu_ms"] = {
            name: (cpu() - shared_before[name]) / args.registrations * 1000 for name, cpu in shared.items()
        }
        if sampler is not None:
            figures["page_waits"] = await sampler.stop()
        figures["page_database"] = per_registration(counters, await database_counters(db), args.registrations)
        cpu = {
            name: (cpu_seconds(pid) - cpu_before[name]) / args.registrations * 1000
            for name, pid in processes.items()
        }
    finally:
        if worker is not None:
            await worker.stop()
        await app.stop()
        await db.close()
    return figures | {
        "durable": args.durable,
        "registrations": args.registrations,
        "concurrency": args.concurrency,
        "mail_worker": args.mail_worker,
        "baseline_per_second": raw,
        "page_per_second": page,
        "ratio": page / raw,
        "confirmed_per_second": confirmed,
        "confirmed_ratio": confirmed / raw,
        "app_cpu_ms_per_registration": cpu["app"],
        "worker_cpu_ms_per_registration": cpu.get("mail worker", 0.0),
        # The benchmark's own process: asyncpg's clients, or the HTTP clients (aiohttp).
        "baseline_client_cpu_ms_per_registration": baseline_client,
        "page_client_cpu_ms_per_registration": page_client,
        "load_average": load_before + os.getloadavg(),
    }


def main() -> int:
    parser = argument_parser("scripts/bench-registration", __doc__)
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--mail-worker",
        choices=("app", "process"),
        default="app",
        help="app: the app process sends the mails (the default setting); process: `python -m app.mail`",
    )
    parser.add_argument(
        "--waits",
        action="store_true",
        help="sample what PostgreSQL's backends wait for in each phase (costs some CPU)",
    )
    parser.add_argument(
        "--durable",
        action="store_true",
        help="PostgreSQL with fsync and synchronous commits on, as deployed (the tests run without)",
    )
    parser.add_argument("--app-log", default="/tmp/bench-registration-app.log")
    parser.add_argument(
        "--app-root",
        default=str(Path(__file__).resolve().parents[2]),
        help="the checkout whose app runs (another one: the code before a change)",
    )
    args = parser.parse_args()
    Path(args.app_log).write_text("")
    with stack_environ(args.reuse, durable=args.durable) as environ:
        figures = asyncio.run(run(args, environ))
    load = " ".join(f"{x:.1f}" for x in figures["load_average"])
    separate = figures["mail_worker"] == "process"
    print(
        f"\nRegistration benchmark: {figures['registrations']} registrations, "
        f"concurrency {figures['concurrency']}, one app process"
        + (", mail worker in a process of its own" if separate else " (which also sends the mails)")
        + (", PostgreSQL durable (fsync on)" if figures["durable"] else "")
    )
    print(f"  raw asyncpg (the same rows)   {figures['baseline_per_second']:8.0f} per second")
    print(f"  through the invite page       {figures['page_per_second']:8.0f} per second   (pages answered)")
    print(f"  ratio page/baseline           {figures['ratio']:8.2f}   (aim: >= 0.6)")
    print(
        f"  confirmed (mail sent)         {figures['confirmed_per_second']:8.0f} per second"
        f"   ratio {figures['confirmed_ratio']:.2f}   (the whole system)"
    )
    print(
        f"  app CPU per registration      {figures['app_cpu_ms_per_registration']:8.2f} ms"
        + ("   (the page)" if separate else "   (the page and sending its mail)")
    )
    if separate:
        print(f"  mail worker CPU per mail      {figures['worker_cpu_ms_per_registration']:8.2f} ms")
    print(
        f"  the clients' CPU per registration: {figures['baseline_client_cpu_ms_per_registration']:.2f} ms"
        f" (asyncpg), {figures['page_client_cpu_ms_per_registration']:.2f} ms (HTTP): on the same cores"
    )
    for phase in ("baseline", "page"):
        shared = ", ".join(f"{name} {ms:.2f} ms" for name, ms in figures[f"{phase}_shared_cpu_ms"].items())
        print(f"  CPU per registration, {phase + ':':9s} {shared}")
    for phase in ("baseline", "page"):
        database = figures[f"{phase}_database"]
        print(
            f"  PostgreSQL per registration, {phase + ':':9s} {database['xact_commit']:5.2f} commits,"
            f" {database['wal_records']:5.1f} WAL records, {database['wal_bytes'] / 1024:5.1f} kB WAL,"
            f" {database['wal_sync']:5.2f} WAL flushes"
        )
    for phase in ("baseline", "page"):
        if f"{phase}_waits" in figures:
            print(format_waits(phase, figures[f"{phase}_waits"]))
    print(f"  machine load average (1/5/15 min) before and after: {load}")
    write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[2])
    sys.exit(main())
