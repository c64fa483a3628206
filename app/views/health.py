"""Health for orchestrators and for ops staff (DEPLOYMENT.md, "Health checks"), on the app's
own port, answered from the main event loop.

- `GET /livez`: the process answers. Restart it when this fails.
- `GET /readyz`: this replica can serve: the database answers, and it is not shutting down
  (whether a Janus is usable is said, and fails nothing: app/health_checks.py).
- `GET /healthz`: the detail, `{"status", "database", "janus": {name: "ok" | reason},
  "main_loop"}`, 503 when anything is wrong: for ops staff and monitoring, not for routing.

What each promises and the bodies are app/health_checks.py's, shared with the health
listener (app/health_listener.py): the same three on a port of their own, answered by a
child process that never waits for this loop, which is what orchestrators should probe. Here the
main loop is "ok" by construction: it is the one answering. During a reconnect storm an
answer here waits behind thousands of handshakes in this port's accept queue.

Both checks that reach the database take a connection of the urgent pool (app/db.py), not
of the main one: while thousands of sockets reconnect, or a large event's reads fill the
main pool, the answer says whether the database answers, not how long that queue is.
"""

from aiohttp import web

from app import health_checks
from app.db import database_health
from app.health_checks import LOOP_OK, respond
from app.keys import JANUS, URGENT_POOL
from app.live.drain import draining

routes = web.RouteTableDef()


@routes.get("/livez", name="livez")
async def livez(request: web.Request) -> web.Response:
    return respond(health_checks.live(LOOP_OK))


@routes.get("/readyz", name="readyz")
async def readyz(request: web.Request) -> web.Response:
    if draining(request.app):
        return respond(health_checks.SHUTTING_DOWN)
    database = await database_health(request.app[URGENT_POOL])
    return respond(health_checks.ready(database, bool(request.app[JANUS].healthy()), LOOP_OK))


@routes.get("/healthz", name="healthz")
async def healthz(request: web.Request) -> web.Response:
    database = await database_health(request.app[URGENT_POOL])
    return respond(health_checks.detail(database, request.app[JANUS].health(), LOOP_OK))
