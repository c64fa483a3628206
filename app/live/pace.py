"""How fast one socket's messages are read.

A page sends a few messages a second at most: a press, a save, a ping, a change of camera.
A client sending thousands would make that much work for the database, and each change it
makes (a *Leave*, a check-in, again and again) is sent on to every socket of its event. So
past a burst a socket's messages are read no faster than a steady rate: the channel waits
before reading the next frame (app/live/channel.py), the frames back up in the socket and
then in the client's own TCP buffers, and nothing is refused or lost. A page never meets
the limit; a flooding client is slowed to it, and since a frame read after a wait does not
count as heard from it, only its pongs do, which come queued behind its flood, it answers
its pings too late for the ping sweep (app/live/pings.py), which cuts it.
"""

from __future__ import annotations

# Far above what a page sends (a press a second, a ping every few seconds, a burst of a
# save and a camera change), far below a flood.
RATE = 10.0  # messages a second, steadily
BURST = 30.0  # messages at once, after a quiet moment


class Pace:
    """A token bucket: `wait` takes one message's token and says how long to wait before
    reading it (0 while the burst lasts). One per socket."""

    def __init__(self) -> None:
        self.rate, self.burst = RATE, BURST
        self._tokens = BURST
        self._at: float | None = None  # when _tokens was counted

    def wait(self, now: float) -> float:
        """Seconds to wait before reading the message that came at `now` (monotonic). The
        token is taken now, so the messages behind it wait their own turn after it."""
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
