"""The local stack: PostgreSQL, Janus and a mail catcher as child processes on loopback.

Used by `scripts/run` (development) and by the test harness, so both start the very same
services in the very same way.
"""
