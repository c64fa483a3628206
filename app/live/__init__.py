"""The live event, server side: check-in, the shared queue, the dispatcher, interviews,
the realtime channel, and what keeps them right by the clock and after a crash.

rules.py         plain rules without I/O: queue order, positions and waits, grace period,
                 offers, the time box
errors.py        LiveError and its codes (the realtime channel turns them into messages)
queue.py         check-in, leaving, disconnect and reconnect, positions, NOTIFY
leaving.py       a registration that ends on the event day (cancelled, removed, erased)
cancelling.py    an event deleted while it is held: its calls ended, its offers taken back
presence.py      interviewers in or out of the rotation
dispatch.py      Next and Pick: one locked transaction per dispatch (the offer goes out at
                 its commit), then the Janus room
roomless.py      offers without a room yet: a Join waits for it; rooms a dead process (or
                 a maker that lost them) left unmade are made
call_tickets.py  each side's ticket for an interview's room: at dispatch, Join, reconnect
interviews.py    accepting an offer, expiry of unanswered offers, ending, extending
janus_access.py  the candidate's Janus token, renewed with every ticket
outcome.py       notes, questions covered and ratings; the candidate's yes/no answer
access.py        who may use an interviewer's link (code session or account)
protocol.py      the realtime channel's messages (app/live/PROTOCOL.md), parsed without I/O
event_view.py    one read of an event per change, shared by all its sockets in a process
snapshots.py     each side's "state" message, cut from the event's view
roster.py        the event's registered candidates for the lobby, a page at a time
messages.py      the interviewers' messages to everyone waiting
organizer.py     the organizer's live view's "state"
actions.py       what each side may send, as one table of actions per role
urgent_pool.py   next/accept/end's own connections, first come first served over both pools
presses.py       a process's presses of Next and Pick that come together, one statement
feeds.py         what each side's socket is sent: its state, "offer", "room_changed"
channel.py       one WebSocket's loop
action_bound.py  an action's database work done within seconds, or refused and undone
pace.py          how fast one socket's messages are read: a burst, then a steady rate
pings.py         one sweep pinging every socket of the process, cutting those gone silent
hub.py           LISTEN/NOTIFY fan-out between processes, to this process's sockets
precedence.py    the hub's rounds give way to the presses on their way to an offer
queue_frames.py  the queue's versions and the one shared `queue` message per change (PROTOCOL.md)
connections.py   which sockets are open in every process; heartbeats; reaping dead processes
arrivals.py      sockets opening at once, looked up and listed in batches on two connections
sweeper.py       by the clock: expired offers, interviews at their limit, grace periods,
                 event states, rooms a dead process left unmade
event_states.py  published → live → finished by the clock
reconciler.py    Janus's rooms and tokens kept in step with the live interviews
media.py         when each side's media started and stopped, from Janus's events
drain.py         SIGTERM: live sockets sent to another replica before the process stops
"""
