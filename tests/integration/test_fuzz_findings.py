"""What the fuzz tests found, each as a focused test: the fixed ones so they stay fixed, the
ones fixed elsewhere marked as expected failures naming their item of the security review.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import pytest_asyncio
from aiohttp import ClientSession, WSMsgType

from app.live.protocol import MAX_FRAME
from app.passwords import hash_password
from tests.integration.fuzz_support import LogWatch, request_bytes, send_raw
from tests.integration.fuzz_world import make_world


@pytest_asyncio.fixture
async def world(app_server, settings, db):
    return await make_world(
        db,
        settings.app.port,
        settings.app.secret_key.get_secret_value(),
        hash_password("ett-långt-lösenord-42"),
    )


@pytest.fixture
def logs():
    with LogWatch() as watch:
        yield watch


async def send(settings, method: str, path: str, headers: dict[str, str | bytes], body: bytes = b""):
    port = settings.app.port
    return await send_raw(
        port,
        request_bytes(
            method,
            path.encode(),
            [
                (name, value if isinstance(value, bytes) else value.encode())
                for name, value in headers.items()
            ],
            body,
            port,
        ),
    )


def cookie(world, identity: str) -> str:
    return "; ".join(f"{k}={v}" for k, v in world.cookies[identity].items())


async def post_multipart(settings, world, identity: str, path: str, body: bytes):
    """`body` as multipart/form-data with the boundary "b", with `identity`'s cookies."""
    return await send(
        settings,
        "POST",
        path,
        {"Cookie": cookie(world, identity), "Content-Type": "multipart/form-data; boundary=b"},
        body,
    )


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/"), ("POST", "/login"), ("POST", "/janus/events"), ("GET", "/static/css/site.css")],
)
async def test_a_body_that_is_not_what_its_content_encoding_says_is_no_error(
    settings, world, logs, method, path
):
    """aiohttp inflated request bodies by itself, outside every handler: a body saying gzip
    that is not was a 500 where a handler read it, and a logged traceback where none did."""
    response = await send(
        settings,
        method,
        path,
        {
            "Cookie": cookie(world, "anonymous"),
            "Content-Encoding": "gzip",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        f"csrf_token={world.csrf['anonymous']}&email=a%40b.se".encode(),
    )
    assert response.status < 500
    assert not logs.trouble()


@pytest.mark.parametrize("identity", ["anonymous", "employer"])
async def test_a_multipart_part_whose_headers_cannot_be_read_is_a_400(settings, world, identity):
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"; filename="\x1f"\r\n\r\n'
        + world.csrf[identity].encode()
        + b"\r\n--b--\r\n"
    )
    for path in ("/login", "/events/new", "/logout"):
        response = await post_multipart(settings, world, identity, path, body)
        assert response.status == 400, (path, response.status)


async def test_a_form_that_cannot_be_decoded_is_a_400_and_another_method_a_405(settings, world):
    """aiohttp reads a form for DELETE too: the CSRF check read it unguarded. No page takes
    DELETE, PUT or PATCH: those are the router's 405 now, before any form is read."""
    for method in ("DELETE", "PUT", "PATCH", "POST"):
        response = await send(
            settings,
            method,
            "/login",
            {"Cookie": cookie(world, "anonymous"), "Content-Type": "application/x-www-form-urlencoded"},
            b"&\xff\xfe=1",
        )
        assert response.status == (400 if method == "POST" else 405), (method, response.status)


async def test_a_body_that_is_no_form_is_a_400_not_an_expired_form(settings, world):
    """A form sent as text/plain (enctype="text/plain") carries its token where no form is
    read: it was told the form had expired (403); it is a form that cannot be read. With the
    token in its header, or as a script's JSON, it is checked as before (403)."""
    token = world.csrf["anonymous"]
    body = f"csrf_token={token}&email=a@example.se&password=x".encode()
    for content_type in ("text/plain", "text/plain; charset=utf-8"):
        response = await send(
            settings,
            "POST",
            "/login",
            {"Cookie": cookie(world, "anonymous"), "Content-Type": content_type},
            body,
        )
        assert response.status == 400, (content_type, response.status)
    response = await send(
        settings,
        "POST",
        "/login",
        {"Cookie": cookie(world, "anonymous"), "Content-Type": "text/plain", "X-CSRF-Token": "wrong"},
        body,
    )
    assert response.status == 403
    response = await send(
        settings,
        "POST",
        "/login",
        {
            "Cookie": cookie(world, "anonymous"),
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        b'{"email": "a@example.se"}',
    )
    assert response.status == 403 and b"csrf" in response.body


@pytest.mark.parametrize("identity", ["anonymous", "employer"])
async def test_a_csrf_header_that_is_not_utf8_is_refused_as_any_wrong_token(settings, world, identity):
    for token in (b"\xed\xa0\x80", b"\xff" * 43, "ä".encode() * 20):
        for path in ("/login", "/logout", "/events/new"):
            response = await send(
                settings, "POST", path, {"Cookie": cookie(world, identity), "X-CSRF-Token": token}
            )
            if path == "/logout" and identity == "anonymous":
                # Nobody to log out: the log-out is done, whatever the token (a tab left open).
                assert response.status == 303, (path, token, response.status)
            else:
                assert response.status == 403, (path, token, response.status)


UNKNOWN_CHARSETS = ("x-unknown-zz", "rot13", "", "utf-8\x7f")


async def test_unknown_charset_is_refused_on_every_route(app_server, settings, world, logs):
    failures = []
    for resource in app_server.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter", "")
        path = (
            path.replace("{event_id}", str(world.ids["event"][0]))
            .replace("{token}", world.candidate_token)
            .replace("{format}", "")
        )
        if "{" in path or not path:
            continue
        for charset in UNKNOWN_CHARSETS:
            for content_type, body in (
                (
                    f"application/x-www-form-urlencoded; charset={charset}",
                    f"csrf_token={world.csrf['employer']}&a=1".encode(),
                ),
                (
                    "multipart/form-data; boundary=b",
                    f'--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: text/plain; '
                    f"charset={charset}\r\n\r\nx\r\n--b--\r\n".encode(),
                ),
                (f"application/json; charset={charset}", b'{"ticket": "x"}'),
            ):
                response = await send(
                    settings,
                    "POST",
                    path,
                    {
                        "Cookie": cookie(world, "employer"),
                        "X-CSRF-Token": world.csrf["employer"],
                        "Content-Type": content_type,
                    },
                    body,
                )
                if response.status >= 500:
                    failures.append(f"{path} {content_type!r}: {response.status}")
    assert not failures, "\n".join(failures)
    assert not logs.trouble()


async def test_oversized_frame_is_a_malformed_error(settings, world):
    url = f"ws://127.0.0.1:{settings.app.port}/c/{world.candidate_token}/ws"
    async with (
        ClientSession() as http,
        http.ws_connect(url, headers={"Cookie": cookie(world, "candidate")}) as ws,
    ):
        assert json.loads((await ws.receive()).data)["type"] == "state"
        await ws.send_str(json.dumps({"type": "ping", "pad": "x" * MAX_FRAME}))
        reply = await ws.receive(timeout=10)
        assert reply.type == WSMsgType.TEXT, f"{reply.type.name} {reply.data}"
        assert json.loads(reply.data) == {"type": "error", "code": "malformed"}
        # Then the close that app/live/PROTOCOL.md promises ("Size"); the page reconnects.
        closing = await ws.receive(timeout=10)
        assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED) and ws.close_code == 1009


async def test_oversized_request_head_logs_no_traceback(settings, world, logs):
    for headers in ({"X-Long": "y" * 9000}, {"Cookie": "lang=" + "x" * 9000}):
        response = await send(settings, "GET", "/", headers)
        assert response.status == 400
    response = await send(settings, "GET", "/c/" + "a" * 9000, {})
    assert response.status == 400
    assert not logs.trouble()


async def test_a_multipart_part_with_a_transfer_encoding_aiohttp_does_not_know_is_a_400(
    settings, world, logs
):
    """aiohttp raises RuntimeError for it, which the form check let through as a 500,
    before any CSRF token or log-in was asked for."""
    body = (
        b'--b\r\nContent-Disposition: form-data; name="email"\r\n'
        b"Content-Transfer-Encoding: x-foo\r\n\r\na\r\n--b--\r\n"
    )
    for identity, path in (("anonymous", "/login"), ("employer", "/events/new")):
        response = await post_multipart(settings, world, identity, path, body)
        assert response.status == 400, (path, response.status)
    assert not logs.trouble()


@pytest.mark.parametrize(
    "name, method, path",
    [
        ("session", "GET", "/events"),
        ("candidate_session", "GET", "/c/{candidate}"),
        ("interviewer_session", "GET", "/i/{interviewer}"),
        ("device", "POST", "/login"),
    ],
)
async def test_a_signed_cookie_that_is_not_utf8_counts_as_none(settings, world, logs, name, method, path):
    """aiohttp hands on such bytes as surrogates, which PyJWT could not encode: a 500 on
    every page that reads the cookie."""
    path = path.format(candidate=world.candidate_token, interviewer=world.interviewer_token)
    seed = world.cookies["anonymous"]["csrf"]
    body = f"csrf_token={world.csrf['anonymous']}&email=a%40b.se&password=x".encode()
    response = await send(
        settings,
        method,
        path,
        {
            "Cookie": f"csrf={seed}; {name}=".encode() + b"\xff\xfe.\xed\xa0\x80",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body if method == "POST" else b"",
    )
    assert response.status < 500, response.status
    if name == "session":
        assert response.status in (302, 303)  # to the log-in, as without a cookie
    assert not logs.trouble()


async def test_a_join_time_beyond_a_floats_range_is_a_400(settings, world, logs):
    response = await send(
        settings,
        "POST",
        "/api/join/time",
        {"Content-Type": "application/json"},
        b'{"ticket": "x", "seconds": 1' + b"0" * 400 + b"}",
    )
    assert response.status == 400
    assert not logs.trouble()


async def test_a_media_event_whose_opaque_id_is_not_ascii_is_ignored(settings, world, logs):
    """A participant chooses their handle's opaque_id; compare_digest raised TypeError for
    one that is not ASCII, and the whole batch of Janus's events was lost with a 500."""
    import base64

    auth = base64.b64encode(f"janus:{settings.janus.event_secret.get_secret_value()}".encode()).decode()
    events = [
        {
            "emitter": "janus1",
            "type": 2,
            "subtype": 1,
            "timestamp": 1,
            "session_id": 1,
            "handle_id": 2,
            "opaque_id": opaque,
            "event": {"name": "detached"},
        }
        for opaque in ("interview:1:candidate:é", "x:\ud800")
    ]
    response = await send(
        settings,
        "POST",
        "/janus/events",
        {"Authorization": f"Basic {auth}", "Content-Type": "application/json"},
        json.dumps(events).encode(),
    )
    assert response.status == 204, response.status  # taken, as any batch
    assert not logs.trouble()


@pytest.mark.parametrize(
    "content_type, body",
    [
        # UTF-7 decodes "+2AA-" to a lone surrogate: the password hash (log-in) and the form
        # shown again with what was typed (a forgotten password) failed on it.
        ("application/x-www-form-urlencoded; charset=utf-7", b"email=a%40example.se&password=x+2AA-"),
        # A multipart part's own charset: never seen by the request's charset check.
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="email"\r\nContent-Type: text/plain; '
            b"charset=utf-7\r\n\r\nAnna+2AA-\r\n--b--\r\n",
        ),
    ],
)
async def test_a_form_whose_text_decodes_to_a_lone_surrogate_is_a_400(
    settings, world, logs, content_type, body
):
    for path in ("/login", "/password/forgot", "/signup", "/events/new"):
        response = await send(
            settings,
            "POST",
            path,
            {"Cookie": cookie(world, "employer"), "Content-Type": content_type, "Accept": "text/html"},
            body,
        )
        assert response.status == 400, (path, response.status)
    assert not logs.trouble()


def login_head(port: int, content_length: int) -> bytes:
    """A log-in's request head declaring a body of `content_length` bytes."""
    return (
        f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {content_length}\r\n\r\n"
    ).encode()


async def test_a_client_gone_while_sending_its_body_is_no_error(settings, world, logs):
    """A phone off the network mid-form: logged as that, not as our 500."""
    reader, writer = await asyncio.open_connection("127.0.0.1", settings.app.port)
    head = login_head(settings.app.port, 5000)
    writer.write(head + b"email=a%40b.se")
    await writer.drain()
    await asyncio.sleep(0.3)
    writer.close()
    for _ in range(50):
        if any("went away" in record.getMessage() for record in logs.records):
            break
        await asyncio.sleep(0.1)
    assert any("went away" in record.getMessage() for record in logs.records)
    assert not logs.trouble()


async def test_a_body_declared_larger_than_any_page_takes_is_refused_at_once(settings, world, logs):
    """Not waited for: a 413 before a byte of it is read."""
    reader, writer = await asyncio.open_connection("127.0.0.1", settings.app.port)
    try:
        writer.write(login_head(settings.app.port, 99999999999))
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
    assert status_line.split()[1] == b"413"
    assert not logs.trouble()


@pytest.mark.parametrize(
    "method, path, status",
    [("PUT", "/events/{event}/publish", 405), ("DELETE", "/login", 405), ("POST", "/no-such-page", 404)],
)
async def test_a_wrong_method_or_address_is_said_so_not_an_expired_form(
    settings, world, logs, method, path, status
):
    """The router's answer (405, 404) comes before the CSRF check: without a token such a
    request was told its form had expired (403), and logged as a refused form."""
    response = await send(
        settings,
        method,
        path.replace("{event}", str(world.ids["event"][0])),
        {"Cookie": cookie(world, "employer"), "Accept": "text/html"},
    )
    assert response.status == status
    assert not logs.trouble()
