"""Why a Janus server cannot be used, as one of a fixed few kinds (app/janus/errors.py): the
operations page says the kind in its reader's language, never an exception's name."""

from __future__ import annotations

import socket

import aiohttp
import pytest
import websockets.exceptions

from app.janus import errors
from app.janus.errors import JanusError, JanusUnavailable, problem_of


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (ConnectionRefusedError(111, "refused"), errors.NOT_ANSWERING),
        (socket.gaierror(-2, "Name or service not known"), errors.NOT_ANSWERING),
        (aiohttp.ClientConnectorError(None, OSError(111, "refused")), errors.NOT_ANSWERING),
        (TimeoutError(), errors.TIMED_OUT),
        (ConnectionResetError(), errors.CONNECTION_LOST),
        (aiohttp.ServerDisconnectedError(), errors.CONNECTION_LOST),
        (websockets.exceptions.ConnectionClosedError(None, None), errors.CONNECTION_LOST),
        (JanusError(403, "Unauthorized request (wrong or missing secret/token)"), errors.ERROR_ANSWER),
        (websockets.exceptions.InvalidHandshake("no upgrade"), errors.NOT_JANUS),
        (ValueError("not JSON"), errors.NOT_JANUS),
        (RuntimeError("something else"), errors.OTHER),
        # A JanusUnavailable says its own kind: what the Admin API's failure was.
        (
            JanusUnavailable("janus1: Admin API unreachable: ClientConnectorError", errors.NOT_ANSWERING),
            errors.NOT_ANSWERING,
        ),
        (JanusUnavailable("no active Janus server is reachable"), errors.OTHER),
    ],
)
def test_every_failure_is_one_of_the_few_kinds(error, problem):
    assert problem_of(error) == problem
    assert problem in errors.PROBLEMS


def test_the_operations_page_has_words_for_every_kind():
    from pathlib import Path

    template = (Path(__file__).resolve().parents[2] / "web" / "templates" / "ops.html").read_text()
    for problem in errors.PROBLEMS:
        assert f'"{problem}"' in template, problem
