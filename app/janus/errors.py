"""What a call to Janus can fail with."""

from __future__ import annotations


class JanusError(Exception):
    """Janus or the VideoRoom plugin answered with an error."""

    def __init__(self, code: int, reason: str):
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusUnavailable(Exception):
    """No usable connection: down, dropped during the call, or no answer in time."""
