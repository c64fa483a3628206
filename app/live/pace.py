"""How fast one socket's messages are read.

A page sends a few messages a second at most: a press, a save, a ping, a change of camera.
The pace is a person's, shared by their sockets in the process (`Paces`): a new socket, or
the same page reconnecting, is no new burst, and each handshake takes a message's token too
(refused with 429 when there is none: app/live/channel.py).
A client sending thousands would make that much work for the database, and each change it
makes (a *Leave*, a check-in, again and again) is sent on to every socket of its event. So
past a burst a socket's messages are read no faster than a steady rate: the channel waits
before reading the next frame (app/live/channel.py), the frames back up in the socket and
then in the client's own TCP buffers, and nothing is refused or lost. A page never meets
the limit; a flooding client is slowed to it, and since a frame read after a wait does not
count as heard from it, only its pongs do, which come queued behind its flood, it answers
its pings too late for the ping sweep (app/live/pings.py), which cuts it. What a
connection sent before it ended and is still queued is not run after it (app/live/channel.py).
"""

from __future__ import annotations

from collections.abc import Hashable

# Far above what a page sends (a press a second, a ping every few seconds, a burst of a
# save and a camera change), far below a flood.
RATE = 10.0  # messages a second, steadily
BURST = 30.0  # messages at once, after a quiet moment


class Pace:
    """A token bucket: `wait` takes one message's token and says how long to wait before
    reading it (0 while the burst lasts). One per person in a process (`Paces`), or one of its
    own for a socket without a person."""

    def __init__(self, rate: float | None = None, burst: float | None = None) -> None:
        self.rate, self.burst = rate or RATE, burst or BURST
        self._tokens = self.burst
        self._at: float | None = None  # when _tokens was counted

    def wait(self, now: float) -> float:
        """Seconds to wait before reading the message that came at `now` (monotonic). The
        token is taken now, so the messages behind it wait their own turn after it."""
        self._refill(now)
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def take(self, now: float) -> bool:
        """A token if there is one now (True); else nothing taken: the caller refuses."""
        self._refill(now)
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def full(self, now: float) -> bool:
        """Whether the burst is all back: a pace like a new one."""
        return self._at is None or self._tokens + (now - self._at) * self.rate >= self.burst

    def _refill(self, now: float) -> None:
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now


class Paces:
    """A pace per person (or per any key) in this process, made on first use. One that is
    full again is forgotten now and then: it is no different from the new one made next."""

    FORGET_EVERY = 1024  # uses between looks for full ones

    def __init__(self, rate: float | None = None, burst: float | None = None) -> None:
        self._rate, self._burst = rate, burst  # None: the module's RATE and BURST
        self._paces: dict[Hashable, Pace] = {}
        self._uses = 0

    def __len__(self) -> int:
        return len(self._paces)

    def of(self, key: Hashable, now: float) -> Pace:
        self._uses += 1
        if self._uses % self.FORGET_EVERY == 0:
            for full in [k for k, pace in self._paces.items() if pace.full(now)]:
                del self._paces[full]
        pace = self._paces.get(key)
        if pace is None:
            pace = self._paces[key] = Pace(self._rate, self._burst)
        return pace
