"""The Janus fleet for admins: `scripts/janus` (or `python -m app.janus_admin`).

    scripts/janus list                       every server: state, weight, rooms, health as
                                             each replica sees it
    scripts/janus add NAME --url ws://10.0.0.7:8188 --admin-url ws://10.0.0.7:7188 \
        [--public-url wss://janus2.example.org/janus] [--weight 2] [--cordoned]
    scripts/janus cordon NAME                no new rooms; running interviews go on
    scripts/janus uncordon NAME              new rooms again
    scripts/janus drain NAME                 no new rooms; wait with `status` until empty
    scripts/janus status [NAME]              rooms in use, whether it is safe to stop, and
                                             which replicas find it lost
    scripts/janus weight NAME N              its share of new rooms (1–1000; also on /ops)
    scripts/janus remove NAME                only with no room in use

Same database and settings as the service (beside scripts/run, or the environment in
production); every replica follows a change within moments, without a restart
(DEPLOYMENT.md, "The Janus fleet"). Exit status 0 on success, 1 when the request cannot be
done, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys

import asyncpg

from app.db import with_connection
from app.janus import fleet
from app.janus.fleet import FleetError, FleetServer


def _ago(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _replicas(count: int) -> str:
    return f"{count} replica{'' if count == 1 else 's'}"


def _health(server: FleetServer, now: dt.datetime) -> str:
    """What the replicas whose reports hold now see of it (app/janus/fleet.py)."""
    if server.replicas == 0:
        return "no replica reports it yet"
    if server.down:
        return f"lost for all {_replicas(server.replicas)} since {_ago(server.down_since, now)}"
    seen = f"seen {_ago(server.last_seen_at, now)}"
    if server.lost_for is not None:
        lost, of = server.lost_for
        return f"down for {lost} of {_replicas(of)} since {_ago(server.down_since, now)}, {seen}"
    return f"{seen} by {_replicas(server.replicas)}"


def drain_verdict(server: FleetServer, rooms: int) -> str:
    """What an admin waiting for the server needs to hear."""
    if server.state == "draining":
        if rooms:
            return f"draining: {rooms} room(s) still in use; running interviews go on to their end"
        return f"drained: no room in use, safe to stop (then scripts/janus remove {server.name})"
    if server.state == "cordoned":
        return (
            f"cordoned: no new rooms; {rooms} room(s) in use"
            if rooms
            else "cordoned: no new rooms, none in use: safe to stop"
        )
    return f"active: takes new rooms; {rooms} room(s) in use"


async def list_servers(connection: asyncpg.Connection) -> str:
    servers = await fleet.read_fleet(connection)
    if not servers:
        return "No Janus server in the fleet."
    rooms = await fleet.rooms_in_use(connection)
    now = await connection.fetchval("SELECT now()")
    lines = []
    for s in servers:
        listed = "" if s.rooms_listed is None else f", {s.rooms_listed} listed by Janus"
        origin = ", from the settings" if s.from_settings else ""
        lines.append(
            f"{s.name}: {s.shown_state}, weight {s.weight}, "
            f"{rooms.get(s.name, 0)} room(s) in use{listed}, {_health(s, now)}{origin}\n"
            f"  url {s.url}  admin {s.admin_url}  public {s.public_url}"
        )
    return "\n".join(lines)


async def status(connection: asyncpg.Connection, name: str | None) -> str:
    servers = await fleet.read_fleet(connection)
    if name is not None:
        servers = [s for s in servers if s.name == name]
        if not servers:
            raise FleetError(f"no Janus server is named {name}")
    rooms = await fleet.rooms_in_use(connection)
    lost_by = await fleet.lost_by(connection)
    now = await connection.fetchval("SELECT now()")
    lines = [
        f"{s.name}: {drain_verdict(s, rooms.get(s.name, 0))}"
        + (
            f"; DOWN: {_health(s, now)} ({', '.join(lost_by.get(s.name, []))})"
            if s.lost_for is not None
            else ""
        )
        for s in servers
    ]
    return "\n".join(lines) or "No Janus server in the fleet."


async def add(connection: asyncpg.Connection, args: argparse.Namespace) -> str:
    server = fleet.checked_server(args.name, args.url, args.admin_url, args.public_url)
    state = "cordoned" if args.cordoned else "active"
    await fleet.add(connection, server, args.weight, state)
    return (
        f"Added {server.name} ({state}, weight {args.weight}); browsers reach it at "
        f"{server.public_url}. Every replica connects to it now."
    )


async def change_state(connection: asyncpg.Connection, name: str, action: str) -> str:
    server = await fleet.set_state(connection, name, action)
    rooms = (await fleet.rooms_in_use(connection, [name])).get(name, 0)
    return f"{name}: {drain_verdict(server, rooms)}"


async def weight(connection: asyncpg.Connection, name: str, value: int) -> str:
    await fleet.set_weight(connection, name, value)
    return f"{name}: weight {value}"


async def remove(connection: asyncpg.Connection, name: str) -> str:
    await fleet.remove(connection, name)
    return f"Removed {name} from the fleet; every replica closes its connection to it now."


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="scripts/janus",
        description="The Janus fleet: list, add, cordon, drain and remove media servers "
        'while the service runs (DEPLOYMENT.md, "The Janus fleet").',
    )
    commands = main.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "list", help="every server: state, weight, rooms in use, health as each replica reports it"
    )
    add_command = commands.add_parser("add", help="a new server (active unless --cordoned)")
    add_command.add_argument("name", help="its name (1–40 characters, unique)")
    add_command.add_argument(
        "--url", required=True, help="the control plane's Janus WebSocket, ws://host:8188"
    )
    add_command.add_argument(
        "--admin-url", required=True, help="its Admin API WebSocket (private network only)"
    )
    add_command.add_argument(
        "--public-url", help="where browsers connect (default: --url), wss:// in production"
    )
    add_command.add_argument(
        "--weight", type=int, default=1, help="share of new rooms, 1–1000 (default 1): rooms ÷ weight decides"
    )
    add_command.add_argument(
        "--cordoned", action="store_true", help="add it cordoned: no rooms until `uncordon`"
    )
    for name, text in (
        ("cordon", "no new rooms; running interviews go on"),
        ("uncordon", "new rooms again (after cordon or drain)"),
        ("drain", "no new rooms; `status` says when it is empty"),
        ("remove", "take it out of the fleet (refused while rooms are in use)"),
    ):
        commands.add_parser(name, help=text).add_argument("name")
    status_command = commands.add_parser(
        "status", help="rooms in use, whether it is safe to stop, and which replicas find it lost"
    )
    status_command.add_argument("name", nargs="?")
    weight_command = commands.add_parser(
        "weight",
        help=f"set a server's weight: its share of new rooms, a whole number from {fleet.MIN_WEIGHT} "
        f"to {fleet.MAX_WEIGHT} (also on /ops)",
    )
    weight_command.add_argument("name")
    weight_command.add_argument("weight", type=int)
    return main


async def run(database_url: str, args: argparse.Namespace) -> str:
    async def work(connection: asyncpg.Connection) -> str:
        if args.command == "list":
            return await list_servers(connection)
        if args.command == "status":
            return await status(connection, args.name)
        if args.command == "add":
            return await add(connection, args)
        if args.command == "remove":
            return await remove(connection, args.name)
        if args.command == "weight":
            return await weight(connection, args.name, args.weight)
        return await change_state(connection, args.name, args.command)

    return await with_connection(database_url, work)


def main(argv: list[str] | None = None) -> int:
    from app.settings import load_settings_or_exit

    args = parser().parse_args(argv)
    settings = load_settings_or_exit()
    try:
        print(asyncio.run(run(settings.database.url.get_secret_value(), args)))
    except FleetError as error:
        print(f"janus: {error}", file=sys.stderr)
        return 1
    except asyncpg.UndefinedTableError:
        print("janus: the database has no fleet table yet: run scripts/migrate", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError) as error:
        print(f"janus: the database could not be used: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("janus: cancelled", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
