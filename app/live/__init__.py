"""The live event, server side: check-in, the shared queue, the dispatcher, interviews.

rules.py       plain rules without I/O: queue order, positions and waits, grace period,
               offers, the time box
errors.py      LiveError and its codes (the realtime channel turns them into messages)
queue.py       check-in, leaving, disconnect and reconnect, positions, NOTIFY
presence.py    interviewers in or out of the rotation
dispatch.py    Next and Pick: one locked transaction per dispatch, then the Janus room
interviews.py  accepting an offer, expiry of unanswered offers, ending, extending
outcome.py     notes, questions covered and ratings; the candidate's yes/no answer

Not here yet: the WebSocket channel and the pages (the next layer of issue 5).
"""
