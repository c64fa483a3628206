"""GET /healthz: the database and every Janus server, for load balancers and ops staff."""
from aiohttp import web

from app.db import database_health
from app.keys import DB_POOL, JANUS

routes = web.RouteTableDef()


@routes.get("/healthz", name="healthz")
async def healthz(request: web.Request) -> web.Response:
    database = await database_health(request.app[DB_POOL])
    janus = request.app[JANUS].health()
    healthy = database == "ok" and all(state == "ok" for state in janus.values())
    body = {"status": "ok" if healthy else "failing", "database": database, "janus": janus}
    return web.json_response(body, status=200 if healthy else 503,
                             headers={"Cache-Control": "no-store"})
