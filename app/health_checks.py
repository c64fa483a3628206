"""What /livez, /readyz and /healthz answer, from the facts a listener gathered.

Two listeners answer them: the app's own port (app/views/health.py), from the main event
loop, and the health listener (app/health_process.py), a child process whose answers never
wait for that loop. Both say the same things in the same shape; it is decided here.

- live: the main event loop turns. 503 `{"status": "stalled", "main_loop": ...}` when it has
  not turned for longer than the bound: restart the process.
- ready: not shutting down, the database answers, and the main loop turns. Whether a Janus
  server is usable is said ("janus": "ok" or "none usable") but fails nothing: every replica
  sees the same Janus servers, so with none usable every replica would leave the routing,
  and nobody would reach even the pages that say the video service is down, nor the
  registration and the employers' pages, which need no Janus.
- detail: the database, every Janus server by name and the main loop; 503 when any of them
  is not "ok", or when there is no Janus server at all (the last one removed from the
  fleet). For ops staff and monitoring, not for routing.
"""

from __future__ import annotations

from aiohttp import web

NO_STORE = {"Cache-Control": "no-store"}
# What the main loop's own listener says of it: it is answering, so it turns.
LOOP_OK = "ok"

Answer = tuple[int, dict]
SHUTTING_DOWN: Answer = (503, {"status": "shutting_down"})


def live(main_loop: str) -> Answer:
    if main_loop == LOOP_OK:
        return 200, {"status": "ok"}
    return 503, {"status": "stalled", "main_loop": main_loop}


def ready(database: str, janus_usable: bool, main_loop: str) -> Answer:
    ok = database == "ok" and main_loop == LOOP_OK
    body = {
        "status": "ok" if ok else "failing",
        "database": database,
        "janus": "ok" if janus_usable else "none usable",
        "main_loop": main_loop,
    }
    return (200 if ok else 503), body


def detail(database: str, janus: dict[str, str], main_loop: str) -> Answer:
    ok = (
        database == "ok"
        and bool(janus)  # no server: no interview can be held (all() of nothing is true)
        and all(state == "ok" for state in janus.values())
        and main_loop == LOOP_OK
    )
    body = {"status": "ok" if ok else "failing", "database": database, "janus": janus, "main_loop": main_loop}
    return (200 if ok else 503), body


def respond(answer: Answer) -> web.Response:
    status, body = answer
    return web.json_response(body, status=status, headers=NO_STORE)
