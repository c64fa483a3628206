"""What a call to Janus can fail with, and why a server cannot be used, as one of a fixed few
kinds (`problem_of`): the operations page says the kind in its reader's language, where an
exception's name read as English inside a Swedish page and said nothing to an operator."""

from __future__ import annotations

import aiohttp
import websockets.exceptions

CONNECTING = "connecting"  # not connected yet, nothing has failed
NOT_ANSWERING = "not_answering"  # nothing takes the connection: stopped, wrong port, refused
TIMED_OUT = "timed_out"  # no answer in time: frozen, overloaded, or the network drops it
CONNECTION_LOST = "connection_lost"  # the connection closed under a call or a keepalive
ERROR_ANSWER = "error_answer"  # Janus answered with an error: a token or admin secret refused
NOT_JANUS = "not_janus"  # something answers that does not speak Janus's API: a wrong URL
OTHER = "other"  # none of the above: the log says what
PROBLEMS = (CONNECTING, NOT_ANSWERING, TIMED_OUT, CONNECTION_LOST, ERROR_ANSWER, NOT_JANUS, OTHER)


class JanusError(Exception):
    """Janus or the VideoRoom plugin answered with an error."""

    def __init__(self, code: int, reason: str):
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusUnavailable(Exception):
    """No usable connection: down, dropped during the call, or no answer in time. `problem`:
    which of the kinds above, when the raiser knows it."""

    def __init__(self, message: str = "", problem: str = OTHER):
        super().__init__(message)
        self.problem = problem


def problem_of(error: BaseException) -> str:
    """The kind of a failure to reach or use a server."""
    if isinstance(error, JanusUnavailable):
        return error.problem
    if isinstance(error, JanusError):
        return ERROR_ANSWER
    if isinstance(error, TimeoutError):
        return TIMED_OUT
    # A handshake refused, or frames that are no JSON of Janus's: not Janus at that address.
    if isinstance(
        error, (aiohttp.WSServerHandshakeError, websockets.exceptions.InvalidHandshake, ValueError)
    ):
        return NOT_JANUS
    if isinstance(
        error,
        (
            ConnectionResetError,
            BrokenPipeError,
            aiohttp.ServerDisconnectedError,
            websockets.exceptions.ConnectionClosed,
        ),
    ):
        return CONNECTION_LOST
    if isinstance(error, OSError):  # refused, unreachable network, a name that does not resolve
        return NOT_ANSWERING
    return OTHER
