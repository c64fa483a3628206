"""The health answers (app/health_checks.py) and the main loop's heartbeat as the health
listener's process reads it (app/health_process.py): pure, no listener started."""

from __future__ import annotations

import time

from app import health_checks
from app.health_process import Beat, Heartbeat, ListenerSettings


def test_live_fails_only_on_a_stalled_loop():
    assert health_checks.live("ok") == (200, {"status": "ok"})
    assert health_checks.live("stalled for 7.1 s") == (
        503,
        {"status": "stalled", "main_loop": "stalled for 7.1 s"},
    )


def test_ready_needs_the_database_and_a_turning_loop_and_says_whether_a_janus_is_usable():
    assert health_checks.ready("ok", True, "ok") == (
        200,
        {"status": "ok", "database": "ok", "janus": "ok", "main_loop": "ok"},
    )
    # No Janus usable is every replica's state at once: taking them all out of the routing
    # would hide the pages that say so, and every page that needs no Janus.
    assert health_checks.ready("ok", False, "ok") == (
        200,
        {"status": "ok", "database": "ok", "janus": "none usable", "main_loop": "ok"},
    )
    for database, usable, loop in (
        ("unavailable: OSError", True, "ok"),
        ("ok", True, "stalled for 6.0 s"),
    ):
        status, body = health_checks.ready(database, usable, loop)
        assert (status, body["status"]) == (503, "failing")


def test_detail_names_every_janus_and_fails_on_any():
    janus = {"janus1": "ok", "janus2": "connecting"}
    status, body = health_checks.detail("ok", janus, "ok")
    assert (status, body) == (503, {"status": "failing", "database": "ok", "janus": janus, "main_loop": "ok"})
    assert health_checks.detail("ok", {"janus1": "ok"}, "ok")[0] == 200
    assert health_checks.detail("ok", {"janus1": "ok"}, "stalled for 9.9 s")[0] == 503
    # The last server removed from the fleet: nothing can hold an interview.
    assert health_checks.detail("ok", {}, "ok") == (
        503,
        {"status": "failing", "database": "ok", "janus": {}, "main_loop": "ok"},
    )


def test_the_heartbeat_goes_stale_after_the_bound():
    heartbeat = Heartbeat(stall_after=5.0)
    assert heartbeat.main_loop() == "ok"
    heartbeat.beat = Beat(time.monotonic() - 4.0, {"janus1": "ok"}, True)  # late, within the bound
    assert heartbeat.main_loop() == "ok"
    heartbeat.beat = Beat(time.monotonic() - 6.0, {"janus1": "ok"}, True)  # the last stamp, 6 s ago
    assert heartbeat.main_loop().startswith("stalled for 6.")


def test_the_lines_on_the_pipe_read_back_as_written():
    beat = Beat(123.5, {"janus1": "ok", "janus2": "connecting"}, True, draining=True)
    assert beat.line().endswith(b"\n") and beat.line().count(b"\n") == 1
    assert Beat.from_line(beat.line()) == beat
    settings = ListenerSettings("127.0.0.1", 8090, 5.0, "postgresql://u:p@db/x", 10.0, "json", "INFO", 42)
    assert ListenerSettings.from_line(settings.line()) == settings
