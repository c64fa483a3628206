"""Our only way to Janus: a supervised wrapper around janus-client (docs/architecture.md).

connection.py  one supervised connection: timeouts, failing pending calls, reconnecting
pool.py        a connection per server in the fleet, their health, and where a new room goes
room_counts.py each server's live rooms read for placement, on a kept connection, reads shared
fleet.py       the fleet in PostgreSQL: servers, operator states, weights, room counts,
               each replica's expiring health reports
rooms.py       private VideoRooms: create, destroy, list, kick
admin.py       the Admin API, for Janus's stored tokens
tokens.py      the stored tokens, derived per server, room, participant and renewal
errors.py      what a call to Janus can fail with
"""
