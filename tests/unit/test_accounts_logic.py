"""The pure parts of accounts: validation, the limits' arithmetic, session cookies."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from app.auth.sessions import AUDIENCE, decode_cookie, encode_cookie
from app.auth.tokens import looks_like_token, new_token, token_hash
from app.auth.validation import (
    MIN_PASSWORD,
    clean_email,
    clean_name,
    clean_new_password,
    has_control_characters,
    is_email,
)
from app.views.account_support import landing_page

SECRET = "a-secret-of-enough-length-for-hs256-keys"
NOW = dt.datetime(2026, 12, 4, 13, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "address, ok",
    [
        ("anna@example.se", True),
        ("first.last+tag@sub.example.co.uk", True),
        ("a@b.se", True),
        ("anna@example", False),
        ("anna@@example.se", False),
        ("anna@example.s", False),
        (".anna@example.se", False),
        ("an..na@example.se", False),
        ("an na@example.se", False),
        ("anna@-example.se", False),
        ("anna@example.se.", False),
        ("åsa@example.se", False),
        ('"anna"@example.se', False),
        ("anna@1.2.3.4", False),
        ("@example.se", False),
        ("a" * 65 + "@example.se", False),
        # Mail readers decode an RFC 2047 encoded word wherever it stands.
        ("=?utf-8?q?eve=0D=0A?=@example.se", False),
        ("a.=?b?=@example.se", False),
        ("a=b?c@example.se", True),
    ],
)
def test_email_addresses(address, ok):
    assert is_email(address) is ok


def test_email_is_trimmed_and_an_international_domain_made_ascii():
    errors = {}
    assert clean_email("  anna@räksmörgås.se ", errors) == "anna@xn--rksmrgs-5wao1o.se"
    assert errors == {}
    clean_email("x" * 250 + "@a.se", errors)
    assert errors["email"][0] == "An e-mail address is at most %(max)s characters."


@pytest.mark.parametrize(
    "password, confirmation, field",
    [
        ("", "", "password"),
        ("a" * (MIN_PASSWORD - 1), "", "password"),
        ("a" * 201, "", "password"),
        ("anna@example.se", "anna@example.se", "password"),
        ("ett långt lösenord", "ett annat", "password_confirm"),
        # bytes that were not text, as a form decoder hands them on (U+FFFD), or unpaired
        ("Losen\ufffd\ufffdord-123", "Losen\ufffd\ufffdord-123", "password"),
        ("Losen\ud800ord-123", "Losen\ud800ord-123", "password"),
        ("Losen\x00ord-123", "Losen\x00ord-123", "password"),
    ],
)
def test_bad_new_passwords(password, confirmation, field):
    errors = {}
    clean_new_password(password, confirmation, errors, email="Anna@example.se")
    assert list(errors) == [field]


@pytest.mark.parametrize("password", ["sven@åkeri.se", " SVEN@ÅKERI.SE", "sven@xn--keri-poa.se"])
def test_the_address_with_an_international_domain_is_no_password(password):
    # The address is kept with its domain in the ASCII form; typed as the password it is
    # the same address.
    errors = {}
    email = clean_email("sven@åkeri.se", errors)
    clean_new_password(password, password, errors, email=email)
    assert errors == {"password": ("Your password must not be your e-mail address.", {})}


def test_letters_with_accents_before_the_at_are_named_as_the_fault():
    errors = {}
    clean_email("Kollega.Två@example.se", errors)
    assert (
        errors["email"][0] == "Letters such as å, ä and ö cannot be used before the @ in an e-mail address."
    )
    for wrong in ("ø@x", "två@", "t v å@example.se"):
        errors = {}
        clean_email(wrong, errors)
        assert errors["email"][0] == "Enter an e-mail address like name@example.se.", wrong


def test_a_good_password_is_kept_exactly():
    errors = {}
    assert (
        clean_new_password("  mellanslag räknas  ", "  mellanslag räknas  ", errors)
        == "  mellanslag räknas  "
    )
    assert errors == {}


def test_names_collapse_whitespace_and_refuse_control_characters():
    errors = {}
    assert clean_name("  Åsa \n  Öberg ", errors) == "Åsa Öberg" and errors == {}
    clean_name("Evil\u202eName", errors)
    assert "name" in errors
    assert has_control_characters("a\x00b") and not has_control_characters("Zoë 👩‍💻")
    # Bytes that were not text, decoded as U+FFFD: refused, not kept as "Anna����Berg".
    clean_name("Anna\ufffd\ufffdBerg", errors := {})
    assert "name" in errors and has_control_characters("\ufffd")


@pytest.mark.parametrize(
    "line_break",
    ["\r\n", "\r", "\n", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"],
)
def test_a_name_is_one_line_whatever_line_break_it_was_given(line_break):
    errors = {}
    assert clean_name(f"Eve{line_break}Bcc: x@evil.example", errors) == "Eve Bcc: x@evil.example"
    assert errors == {}
    assert has_control_characters(f"Eve{line_break}X")


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f", "\x9b", "\ud800"])
def test_other_control_characters_in_a_name_are_refused(control):
    errors = {}
    clean_name(f"Eve{control}X", errors)
    assert errors["name"][0] == "This holds a hidden character, often from pasted text: type it in again."


def test_session_cookie_round_trip_and_refusals():
    token = new_token()
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    cookie = encode_cookie(SECRET, token, expires)
    assert decode_cookie(SECRET, cookie) == token
    assert decode_cookie("another-secret-entirely-also-32-bytes-long", cookie) is None
    assert decode_cookie(SECRET, encode_cookie(SECRET, token, NOW - dt.timedelta(days=400))) is None
    # A JWT for another purpose (a room ticket) signed with the same key is no session.
    ticket = jwt.encode({"aud": "snabbintervjuer:room", "sid": token, "exp": expires}, SECRET)
    assert decode_cookie(SECRET, ticket) is None
    bad_sid = jwt.encode({"aud": AUDIENCE, "sid": "short", "exp": expires}, SECRET)
    assert decode_cookie(SECRET, bad_sid) is None
    assert decode_cookie(SECRET, "x" * 5000) is None and decode_cookie(SECRET, None) is None


def test_tokens_are_random_and_stored_as_hashes():
    first, second = new_token(), new_token()
    assert first != second and looks_like_token(first) and not looks_like_token(first + "!")
    assert len(token_hash(first)) == 32 and token_hash(first) != token_hash(second)


@pytest.mark.parametrize(
    "target, expected",
    [
        (None, "/events"),
        ("", "/events"),
        ("/", "/events"),
        ("/account", "/account"),
        ("//evil.example", "/events"),
        ("https://evil.example", "/events"),
        ("/logout", "/events"),
        ("/events/5/edit?x=1", "/events/5/edit?x=1"),
        ("/\t/evil.example", "/events"),
        ("/\n/evil.example", "/events"),
        ("/ /evil.example", "/events"),
    ],
)
def test_where_log_in_leads(target, expected):
    assert landing_page(target) == expected


@pytest.mark.parametrize("language", ["sv", "en"])
def test_account_mails_render_in_both_languages_and_escape_names(language):
    from app.i18n import Renderer
    from app.mail import Mailer
    from app.settings import load_settings

    secret = "x" * 32
    settings = load_settings(
        {
            "SNABB_APP_SECRET_KEY": secret,
            "DATABASE_URL": "postgresql://u@h/d",
            "SNABB_JANUS_ADMIN_SECRET": secret,
            "SNABB_JANUS_ROOM_ADMIN_KEY": secret,
            "SNABB_JANUS_EVENT_SECRET": secret,
        }
    )
    mailer = Mailer(settings, Renderer())
    invitation = mailer.render(
        language,
        "colleague_invitation",
        {
            "inviter_name": "<b>Åsa</b> & Co",
            "organization_name": "Företaget AB",
            "accept_url": "https://example.se/invitation/abc",
            "valid_days": 7,
        },
    )
    assert "<b>Åsa</b> & Co" in invitation.subject and "<b>Åsa</b> & Co" in invitation.text
    assert "&lt;b&gt;Åsa&lt;/b&gt; &amp; Co" in invitation.html and "<b>Åsa" not in invitation.html
    assert invitation.html.count("https://example.se/invitation/abc") == 3  # button, text, href
    reset = mailer.render(
        language,
        "password_reset",
        {"name": "Bo", "reset_url": "https://example.se/password/reset/abc", "valid_minutes": 60},
    )
    assert "60" in reset.text and "https://example.se/password/reset/abc" in reset.text
    assert (
        reset.subject
        == {
            "sv": "Välj ett nytt lösenord till Snabbintervjuer",
            "en": "Choose a new password for Snabbintervjuer",
        }[language]
    )


def test_a_name_of_emoji_or_punctuation_alone_is_told_what_a_name_needs():
    """Something was typed: "Enter your name" would say nothing was."""
    for typed in ("😀🎉", "...", "\u200b\u200b"):
        clean_name(typed, errors := {})
        assert errors["name"][0] == "A name needs at least one letter or digit.", typed
    clean_name("   ", errors := {})
    assert errors["name"][0] == "Enter your name."
