"""The live event, server side: check-in, the shared queue, the dispatcher, interviews.

rules.py       plain rules without I/O: queue order, positions and waits, grace period,
               offers, the time box
errors.py      LiveError and its codes (the realtime channel turns them into messages)
queue.py       check-in, leaving, disconnect and reconnect, positions, NOTIFY
presence.py    interviewers in or out of the rotation
dispatch.py    Next and Pick: one locked transaction per dispatch (the offer goes out at its
               commit), then the Janus room; rooms a dead process left unmade
interviews.py  accepting an offer, expiry of unanswered offers, ending, extending
outcome.py     notes, questions covered and ratings; the candidate's yes/no answer
access.py      who may use an interviewer's link (code session or account)
protocol.py    the realtime channel's messages (app/live/PROTOCOL.md), parsed without I/O
snapshots.py   each side's "state" message, read from the database
messages.py    the interviewers' messages to everyone waiting
actions.py     what each side may send, as one table of actions per role
feeds.py       what each side's socket is sent: its state, "offer", "room_changed"
channel.py     one WebSocket's loop; hub.py: LISTEN/NOTIFY fan-out between processes

Not here yet: the pages (issue 7), the reconciler and the dispatch benchmark.
"""
