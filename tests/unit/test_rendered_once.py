"""app/rendered_once.py: a render with personal values spliced in is the full render, for
the templates that use it (the candidate mails, the registration's confirmation page)."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from app.candidates import mails
from app.i18n import LANGUAGE_NAMES, LANGUAGES, Renderer
from app.mail import Mailer
from app.rendered_once import SplicingRenderer
from app.settings import load_settings
from tests.unit.test_mail_message import SECRETS

NAMES = [
    "Kim",
    "Åsa Öberg",
    "<script>alert(1)</script>",
    "Eve \"x\" & 'y'",
    "%(name)s %s {{ pin }}",
    "zq0123456789abcdefzq",
    "Å" * 200,
    "",
]
EVENT = {
    "id": 7,
    "organization_id": 1,
    "organization_name": "Växjö Rör & Co <AB>",
    "title": "Säljare på kontoret i Växjö",
    "job_description": "Du säljer.",
    "starts_at": datetime(2026, 12, 4, 13, 0, tzinfo=timezone.utc),
    "set_starts_at": datetime(2026, 12, 4, 13, 0, tzinfo=timezone.utc),
    "duration_minutes": 120,
    "interview_minutes": 10,
    "capacity": 100,
    "language": "sv",
    "state": "published",
    "invite_token": "abcdefghijklmnopqrstuv",
    "invite_open": True,
    "calendar_sequence": 0,
    "deleted_at": None,
}


@pytest.fixture(scope="module")
def mailer() -> Mailer:
    return Mailer(load_settings(dict(SECRETS, SNABB_APP_PUBLIC_URL="https://snabb.example.se")), Renderer())


def personal(rng: random.Random) -> dict[str, str]:
    return {
        "name": rng.choice(NAMES),
        "link": rng.choice(["https://snabb.example.se/c/", "https://x.se/c/?a=1&b=<2>"]) + str(rng.random()),
        "pin": f"{rng.randrange(10**6):06d}",
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "template, extra",
    [
        (mails.REGISTRATION, {"again": False, "replaced": False}),
        (mails.REGISTRATION, {"again": True, "replaced": False}),
        (mails.REGISTRATION, {"again": True, "replaced": True}),
        (mails.REMINDER, {}),
        (mails.CANCELLED, {"by_employer": False, "invite_link": "https://snabb.example.se/r/x?a&b"}),
        (mails.CANCELLED, {"by_employer": True, "invite_link": None}),
    ],
)
def test_candidate_mails_spliced_are_the_full_render(mailer, language, template, extra):
    rng = random.Random(f"{template}{language}{extra}")
    shared = mails._context(EVENT, **extra)
    for _ in range(12):
        values = personal(rng)
        spliced = mailer.render(language, template, shared, values)
        assert spliced == mailer.render(language, template, {**shared, **values})


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_page_spliced_is_the_full_render(language):
    renderer = Renderer()
    spliced = SplicingRenderer(renderer)
    shared = {
        "lang": language,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "current_path": "/r/abcdefghijklmnopqrstuv",
        "support_email": "support@example.se",
        "development": False,
        "user": None,
        "event": mails.shown({**EVENT, "now": datetime.now(timezone.utc)}),
        "reminder_coming": True,
        "checkin_open": False,
    }
    rng = random.Random(language)
    for _ in range(12):
        values = {
            "email": rng.choice(["kim@example.se", "o'brien+<x>@example.se"]),
            "csrf_token": str(rng.random()),
        }
        page = spliced.render(language, "candidates/registered.html", shared, values)
        assert page == renderer.render(language, "candidates/registered.html", {**shared, **values})
        assert values["email"].replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;") in page


def test_a_template_that_does_more_than_print_a_value_is_rendered_in_full(tmp_path):
    (tmp_path / "upper.html").write_text("<p>{{ name | upper }}</p>")
    (tmp_path / "measured.txt").write_text("{% if name | length > 5 %}long {% endif %}{{ name }}")
    (tmp_path / "plain.html").write_text("<p>{{ _('Hello %(name)s,', name=name) }} {{ name }}</p>")
    renderer = Renderer(templates_dir=tmp_path)
    spliced = SplicingRenderer(renderer)
    for template in ("upper.html", "measured.txt", "plain.html"):
        for name in ("Kim", "Åsa <&>", "Bo"):
            assert spliced.render("en", template, {}, {"name": name}) == renderer.render(
                "en", template, {"name": name}
            )
    assert spliced.render("en", "plain.html", {}, {"name": "<b>"}) == "<p>Hello &lt;b&gt;, &lt;b&gt;</p>"


def test_a_shared_context_that_cannot_be_a_key_is_rendered_in_full(tmp_path):
    (tmp_path / "page.html").write_text("{{ thing.x }} {{ name }}")
    renderer = Renderer(templates_dir=tmp_path)

    class Unhashable:
        x = 1
        __hash__ = None

    assert (
        SplicingRenderer(renderer).render("sv", "page.html", {"thing": Unhashable()}, {"name": "Kim"})
        == "1 Kim"
    )


def test_old_contexts_are_forgotten(tmp_path):
    (tmp_path / "page.txt").write_text("{{ n }} {{ name }}")
    spliced = SplicingRenderer(Renderer(templates_dir=tmp_path), entries=3)
    for n in range(10):
        assert spliced.render("sv", "page.txt", {"n": n}, {"name": "Kim"}) == f"{n} Kim"
    assert len(spliced._cut) == 3
