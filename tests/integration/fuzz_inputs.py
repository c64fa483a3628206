"""Hypothesis strategies for odd HTTP requests: paths with odd parameters, odd bodies (forms,
multipart, JSON, garbage) under odd Content-Types, odd headers and cookies.

Routes come from the application's router and form field names from the pages it serves,
so a new route or field is fuzzed without anyone adding it here.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

from tests.integration.fuzz_world import CODE, PIN

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "get")
ODD_TEXT = (
    "",
    " ",
    "0",
    "-1",
    "1",
    "00000001",
    "9" * 19,
    "9" * 40,
    "1e309",
    "+1",
    " 1",
    "1_0",
    "١٢",
    "0x1f",
    "NaN",
    "true",
    "null",
    "[]",
    "{}",
    ".",
    "..",
    "%",
    "%00",
    "%2F",
    "%2e%2e",
    "a/b",
    "../../etc/passwd",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t",
    "ä",
    "Å\u0308",
    "😀",
    "\u202e",
    "\ufeff",
    "\u2028",
    "\x85",
    "\ud800",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{event_id}",
    "=?utf-8?q?Eve=0D=0ABcc:_x@evil.example?=",
    "x" * 300,
    "é" * 3000,
    "a@b.se",
    "a@b",
    "@",
    "2026-12-24",
    "24:00",
    "23:59",
    "2026-02-30",
    "sv",
    "en",
    "on",
    "off",
    PIN,
    CODE,
    "ett-långt-lösenord-42",
)
JSON_KEYS = (
    "type",
    "ticket",
    "event",
    "session_id",
    "handle_id",
    "data",
    "plugindata",
    "emitter",
    "timestamp",
    "jsep",
    "id",
    "room",
)
# Charsets Python knows as text encodings: an unknown one is a separate, known finding
# (tests/integration/test_fuzz_findings.py::test_unknown_charset_is_refused_on_every_route).
CHARSETS = (
    "utf-8",
    "UTF-8",
    '"utf-8"',
    "utf8",
    "latin-1",
    "iso-8859-1",
    "us-ascii",
    "utf-16",
    "utf-16-be",
    "utf-32",
    "cp1252",
    "koi8-r",
    "shift_jis",
    "utf-7",
)
ODD_HEADER_VALUES = (
    "",
    " ",
    "*",
    "x" * 9000,
    "ä",
    "\x7f",
    "a,b;q=;;",
    "sv;q=abc",
    "en-US,en;q=0.9,sv;q=2",
    "xx-YY",
    "sv-SE;q=0.5, *;q=0.1",
)


def odd_text() -> st.SearchStrategy[str]:
    listed, short = st.sampled_from(ODD_TEXT), st.text(max_size=40)
    return st.one_of(listed, listed, short, short, st.text(min_size=1, max_size=8).map(lambda s: s * 700))


def utf8(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")  # a lone surrogate is odd input too


def encode_path_value(value: str, how: str) -> bytes:
    if how == "quoted":
        return quote(utf8(value), safe="").encode()
    if how == "slashes":  # keeps / and % as they are: encoded slashes and dot segments
        return quote(utf8(value), safe="/%.").encode()
    return utf8(value)  # raw bytes in the request line


def path_values(name: str, world) -> st.SearchStrategy[str]:
    """Values for one path parameter: the world's real ones by the parameter's name, or odd."""
    real: list[str] = []
    if "token" in name:
        real = list(world.tokens)
    elif name.endswith("_id"):
        kind = name[:-3]
        real = [str(i) for i in world.ids.get(kind, [i for ids in world.ids.values() for i in ids])]
    elif name == "code":
        real = ["sv", "en"]
    elif name == "format":
        real = ["", ".pdf", ".csv"]
    real_values = st.sampled_from(real) if real else st.nothing()
    return st.one_of(real_values, real_values, real_values.map(lambda v: v + "/"), odd_text())


PARAMETER = re.compile(r"\{(\w+)[^}]*\}")
SUFFIXES = (
    "/",
    "/..",
    "/%2e%2e/%2e%2e/etc/passwd",
    "//",
    ";x=1",
    "%00",
    "?",
    "?a=1&a=2",
    "?" + "q" * 3000,
    "#frag",
    "/./",
    "?lang=xx&next=//evil.example",
)


@st.composite
def paths(draw, resource, world) -> bytes:
    info = resource.get_info()
    template = info.get("formatter") or info.get("path") or info.get("prefix", "/")
    if "prefix" in info:  # a static folder: a file in it, or a way out of it
        template += draw(
            st.sampled_from(
                ["/css/site.css", "/", "/../app/settings.py", "/%2e%2e/%2e%2e/etc/passwd", "/css/..%2f..%2f"]
            )
        )
    how = draw(st.sampled_from(["quoted"] * 5 + ["slashes"] * 3 + ["raw"] * 2))
    pieces, position = [], 0
    for match in PARAMETER.finditer(template):
        pieces.append(template[position : match.start()].encode())
        pieces.append(encode_path_value(draw(path_values(match[1], world)), how))
        position = match.end()
    pieces.append(template[position:].encode())
    return b"".join(pieces) + draw(st.one_of(st.just(""), st.sampled_from(SUFFIXES))).encode()


def json_values() -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), odd_text())
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.sampled_from(JSON_KEYS), st.text(max_size=10)), inner, max_size=5),
        ),
        max_leaves=12,
    )


@st.composite
def bodies(draw, field_names: list[str], csrf: str | None) -> tuple[str | None, bytes]:
    """(Content-Type or None, body)."""
    names = st.one_of(st.sampled_from(field_names), st.text(max_size=12))
    pairs = draw(st.lists(st.tuples(names, odd_text()), max_size=8))
    if csrf and draw(st.integers(0, 3)) > 0:
        pairs.append(("csrf_token", csrf))
    kind = draw(st.sampled_from(["none", "form", "form", "multipart", "multipart", "json", "garbage"]))
    charset = draw(st.sampled_from(CHARSETS))
    if kind == "none":
        return None, b""
    if kind == "form":
        body = urlencode([(utf8(k), utf8(v)) for k, v in pairs]).encode()
        body = draw(st.sampled_from([body] * 6 + [body + b"&%", b"a=%ZZ&" + body, body + b"&\xff\xfe=1"]))
        declared = draw(
            st.sampled_from(
                [
                    "application/x-www-form-urlencoded",
                    f"application/x-www-form-urlencoded; charset={charset}",
                    "application/x-www-form-urlencoded;;; x",
                    "APPLICATION/X-WWW-FORM-URLENCODED",
                ]
            )
        )
        return declared, body
    if kind == "multipart":
        return draw(multipart(pairs, charset))
    if kind == "json":
        value = draw(
            st.one_of(
                json_values(), st.fixed_dictionaries({}, optional={k: json_values() for k in JSON_KEYS[:4]})
            )
        )
        body = draw(
            st.sampled_from(
                [
                    json.dumps(value).encode(),
                    json.dumps(value).encode("utf-16"),
                    b"[" * 100_000,
                    b"\xef\xbb\xbf{}",
                    b'{"a": NaN, "b": 1e999999}',
                    b'{"type": 1, "type": "x"}',
                    b'{"ticket": ' + json.dumps("x" * 50_000).encode() + b"}",
                    b"{",
                    b"",
                ]
            )
        )
        declared = draw(
            st.sampled_from(
                [
                    "application/json",
                    f"application/json; charset={charset}",
                    "text/json",
                    "application/x-www-form-urlencoded",
                ]
            )
        )
        return declared, body
    return draw(
        st.sampled_from(
            [
                "text/plain",
                "application/octet-stream",
                "",
                "*/*",
                "multipart/",
                "image/png; x",
                f"text/html; charset={charset}",
            ]
        )
    ), draw(st.binary(max_size=300))


@st.composite
def multipart(draw, pairs, charset) -> tuple[str, bytes]:
    boundary = draw(st.sampled_from(["fuzzboundary", "a" * 70, "b;c", "ä"]))
    parts = []
    for name, value in pairs:
        disposition = f'form-data; name="{name}"'
        if draw(st.booleans()):
            disposition += f'; filename="{draw(odd_text())[:50]}"'
        head = f"Content-Disposition: {disposition}\r\n"
        if draw(st.booleans()):
            head += f"Content-Type: text/plain; charset={charset}\r\n"
        if draw(st.integers(0, 5)) == 0:
            head += f"Content-Transfer-Encoding: {draw(st.sampled_from(['base64', 'binary', 'x-odd']))}\r\n"
        parts.append(utf8(f"--{boundary}\r\n{head}\r\n") + utf8(value) + b"\r\n")
    body = b"".join(parts) + draw(st.sampled_from([f"--{boundary}--\r\n".encode(), b"", b"--nope--\r\n"]))
    declared = draw(
        st.sampled_from(
            [
                f"multipart/form-data; boundary={boundary}",
                f'multipart/form-data; boundary="{boundary}"',
                "multipart/form-data",
                "multipart/form-data; boundary=",
                f"multipart/mixed; boundary={boundary}",
            ]
        )
    )
    return declared, body


def cookie_header(cookies: dict[str, str], odd: list[tuple[str, str]]) -> bytes:
    pairs = [f"{k}={v}" for k, v in cookies.items()] + [f"{k}={v}" for k, v in odd]
    return utf8("; ".join(pairs))


@st.composite
def headers(draw, cookies: dict[str, str], csrf: str | None, janus_password: str):
    found: list[tuple[str, bytes]] = []
    odd_value = st.one_of(st.sampled_from(ODD_HEADER_VALUES), odd_text())

    def maybe(name: str, values, one_in: int = 4) -> None:
        if draw(st.integers(0, one_in - 1)) == 0:
            value = draw(values)
            found.append((name, utf8(value).replace(b"\r", b"").replace(b"\n", b"")))

    maybe("Accept", st.sampled_from(["text/html", "application/json", "*/*", "", "text/html;q=x"]), one_in=2)
    maybe("Accept-Language", odd_value)
    odd_cookies = (
        []
        if draw(st.booleans())
        else draw(
            st.lists(
                st.tuples(
                    st.sampled_from(
                        [
                            "session",
                            "lang",
                            "csrf",
                            "candidate_session",
                            "interviewer_session",
                            "device",
                            "x",
                            "",
                        ]
                    ),
                    st.one_of(
                        odd_text().map(lambda v: quote(utf8(v), safe="")),
                        # Bytes that are not UTF-8, as they are (a lone surrogate, encoded).
                        st.just("eyJ\udcff.\ud800"),
                        st.just("x" * 5000),
                        st.just("eyJhbGciOiJub25lIn0.e30."),
                        st.sampled_from(["sv", "en", "xx"]),
                    ),
                ),
                max_size=3,
            )
        )
    )
    found.append(("Cookie", cookie_header(cookies, odd_cookies)))
    if csrf and draw(st.integers(0, 3)) == 0:
        found.append(("X-CSRF-Token", csrf.encode()))
    maybe("X-CSRF-Token", odd_value)
    maybe("Origin", st.sampled_from(["http://evil.example", "null", "http://[", "", "x"]))
    maybe("Referer", odd_value)
    maybe("X-Forwarded-For", st.sampled_from(["1.2.3.4", "::1, x", "999.1.1.1", "a" * 100]))
    maybe("X-Forwarded-Proto", st.sampled_from(["https", "gopher", ""]))
    maybe(
        "Authorization",
        st.sampled_from(
            [
                "Basic " + base64.b64encode(f"janus:{janus_password}".encode()).decode(),
                "Basic " + base64.b64encode(b"janus:wrong").decode(),
                "Basic %%%",
                "Basic ",
                "Bearer x",
            ]
        ),
    )
    maybe(
        "Range",
        st.sampled_from(
            [
                "bytes=abc",
                "bytes=5-1",
                "bytes=-0",
                "bytes=0-0," * 200,
                "bytes=99999999999999999999-",
                "lines=1-2",
            ]
        ),
    )
    maybe("If-None-Match", odd_value)
    maybe(
        "If-Modified-Since",
        st.sampled_from(["yesterday", "Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 9999 08:49:37 GMT", ""]),
    )
    maybe("Content-Encoding", st.sampled_from(["gzip", "deflate", "br", "x"]))
    maybe("X-Fuzz-Huge", st.sampled_from(["y" * 8000, "y" * 9000]), one_in=20)
    return found
