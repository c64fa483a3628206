"""How many files the process may have open, and how many of them the live sockets may take.

Every live socket is an open file. A process past its limit cannot accept a connection at all
(asyncio logs each refused accept, thousands a second), nor open a database connection or a
log: the whole replica stops serving, not only the live pages. So the live sockets stop short
of the limit (app/live/channel.py refuses more with 503, and the page retries, reaching another
replica or this one once sockets have closed), and at start the process takes the whole of
the limit the system allows it.
"""

from __future__ import annotations

import resource

# Kept for all but the live sockets: HTTP requests, the database pools, the Janus servers'
# connections, the PDF workers' pipes, the log.
KEPT_FOR_THE_REST = 512
# Never fewer live sockets than this, whatever the limit (a test machine's 1,024 leaves 512).
FEWEST = 64
UNLIMITED = 1_048_576


def take_the_hard_limit() -> int:
    """At start: the soft limit on open files raised to the hard one (a shell's soft 1,024
    would hold a replica to about 500 pages; the hard limit is the system's to set: compose's
    `ulimits`, systemd's LimitNOFILE). Returns the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # No hard limit (systemd's LimitNOFILE=infinity): as many as the kernel lets a process
    # have, which is at most fs.nr_open (1,048,576 by default).
    wanted = UNLIMITED if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass  # kept as it is: live_sockets_allowed still stops short of it
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def live_sockets_allowed() -> int:
    """The most live sockets this process takes: its open files' limit less what the rest needs."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return UNLIMITED
    return max(FEWEST, soft - KEPT_FOR_THE_REST)
