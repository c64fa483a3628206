"""Health for orchestrators and for ops staff (DEPLOYMENT.md, "Health checks").

- `GET /livez`: the process answers. Restart it when this fails.
- `GET /readyz`: this replica can serve: the database answers and at least one Janus server
  is usable, and it is not shutting down. One Janus down is not a reason to take a replica
  out: every replica sees the same Janus, so that would take them all out, while the
  healthy servers get the new rooms and the reconciler moves the lost ones.
- `GET /healthz`: the detail, `{"status", "database", "janus": {name: "ok" | reason}}`, 503
  when anything is wrong: for ops staff and monitoring, not for routing.

Both checks that reach the database take a connection of the urgent pool (app/db.py), not
of the main one: while thousands of sockets reconnect, or a large event's reads fill the
main pool, the answer says whether the database answers, not how long that queue is.
"""

from aiohttp import web

from app.db import database_health
from app.keys import JANUS, URGENT_POOL
from app.live.drain import draining

routes = web.RouteTableDef()
NO_STORE = {"Cache-Control": "no-store"}


@routes.get("/livez", name="livez")
async def livez(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"}, headers=NO_STORE)


@routes.get("/readyz", name="readyz")
async def readyz(request: web.Request) -> web.Response:
    if draining(request.app):
        return web.json_response({"status": "shutting_down"}, status=503, headers=NO_STORE)
    database = await database_health(request.app[URGENT_POOL])
    usable = bool(request.app[JANUS].healthy())
    ready = database == "ok" and usable
    body = {
        "status": "ok" if ready else "failing",
        "database": database,
        "janus": "ok" if usable else "none usable",
    }
    return web.json_response(body, status=200 if ready else 503, headers=NO_STORE)


@routes.get("/healthz", name="healthz")
async def healthz(request: web.Request) -> web.Response:
    database = await database_health(request.app[URGENT_POOL])
    janus = request.app[JANUS].health()
    healthy = database == "ok" and all(state == "ok" for state in janus.values())
    body = {"status": "ok" if healthy else "failing", "database": database, "janus": janus}
    return web.json_response(body, status=200 if healthy else 503, headers=NO_STORE)
