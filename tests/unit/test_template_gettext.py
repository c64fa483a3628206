"""`_()` in templates gives what jinja2.ext.i18n's own newstyle gettext gives: the same
translation, escaping and `%` formatting, in HTML and plain-text templates, in both languages."""

from __future__ import annotations

import datetime as dt
import functools

import jinja2
import pytest
from markupsafe import Markup

from app.i18n import LANGUAGES, Renderer, title_in_its_language
from app.paths import TEMPLATES_DIR
from app.timefmt import format_event_time

RENDERER = Renderer()


def stock_environment(language: str) -> jinja2.Environment:
    """The environment as Renderer made it before, with jinja2.ext.i18n's gettext."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"], disabled_extensions=["txt"], default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        RENDERER.translations[language], newstyle=True
    )
    environment.filters["event_time"] = functools.partial(format_event_time, language=language)
    environment.filters["title_in_its_language"] = title_in_its_language
    return environment


INLINE = [
    '{{ _("Check your e-mail") }}',
    '{{ _("We have sent a mail to %(email)s with your personal link and PIN for “%(title)s”.",'
    " email=email, title=title) }}",
    '{{ gettext("Speed interviews at %(organization)s", organization=title) }}',
    '{{ _("Look in your spam or junk folder. If it is not there either, check the address '
    'above, ask %(organization)s to send your link and PIN again, or write to %(address)s.", '
    "organization=title, address=link) }}",
    '{{ _("100%% sure: %(x)s", x=email) }}',
    '{% autoescape false %}{{ _("Speed interviews at %(organization)s", organization=title) }}'
    "{% endautoescape %}",
    '{{ _("not in any catalog <b>") }}',
]
VALUES = {
    "email": 'eve"<script>@example.se',
    "title": "Åsa & Co <AB>",
    "link": Markup('<a href="mailto:x@y.se">x@y.se</a>'),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("source", INLINE)
def test_inline_calls_match_jinjas_gettext(language, source):
    ours = RENDERER.environments[language].from_string(source).render(VALUES)
    assert ours == stock_environment(language).from_string(source).render(VALUES)


EVENT = {
    "id": 5,
    "organization_id": 1,
    "organization_name": "Lager & Co <AB>",
    "title": 'Säljare "Växjö" & <b>',
    "job_description": "Du plockar och packar.",
    "starts_at": dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC),
    "set_starts_at": dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC),
    "duration_minutes": 120,
    "interview_minutes": 10,
    "capacity": 100,
    "language": "sv",
    "state": "published",
    "invite_token": "tok",
    "invite_open": True,
    "calendar_sequence": 0,
    "deleted_at": None,
}
PAGE = {
    "languages": [("sv", "Svenska"), ("en", "English")],
    "current_path": "/r/tok",
    "support_email": "hjalp@example.se",
    "development": False,
    "user": None,
    "csrf_token": "x" * 40,
    "event": EVENT,
    "email": "kim&<x>@example.se",
    "reminder_coming": True,
    "checkin_open": False,
}
MAIL = {
    "event": EVENT,
    "event_starts_at": EVENT["starts_at"],
    "name": "Kim <Kandidat> & Co",
    "link": "https://example.se/c/abc",
    "pin": "123456",
    "again": False,
    "replaced": True,
    "public_url": "https://example.se",
    "support_email": "hjalp@example.se",
    "subject": "Din plats",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "template, context",
    [
        ("candidates/registered.html", PAGE),
        ("mail/candidate_registration.html", MAIL),
        ("mail/candidate_registration.txt", MAIL),
        ("mail/candidate_registration.subject.txt", MAIL),
    ],
)
def test_pages_and_mails_match_jinjas_gettext(language, template, context):
    context = dict(context, lang=language)
    assert RENDERER.render(language, template, context) == stock_environment(language).get_template(
        template
    ).render(context)


@pytest.mark.parametrize(
    "language, count, said",
    [
        ("en", 1, "Wrong PIN. 1 try left before this device must wait a while."),
        ("en", 3, "Wrong PIN. 3 tries left before this device must wait a while."),
        ("sv", 1, "Fel PIN-kod. 1 försök kvar innan den här enheten måste vänta en stund."),
    ],
)
def test_a_form_error_with_a_count_takes_the_form_for_it(language, count, said):
    """An error made with Np_ (both forms) is shown in the form its count takes."""
    from app.views.candidate_pin import PIN_WRONG

    template = RENDERER.environments[language].from_string(
        '{% from "_forms.html" import error_text %}{{ error_text(errors, "pin") }}'
    )
    assert template.render(errors={"pin": (PIN_WRONG, {"count": count})}) == said


@pytest.mark.parametrize("language, written", [("sv", "2\u00a0120"), ("en", "2,120")])
def test_whole_numbers_are_written_the_languages_way(language, written):
    """A count of registrations in the thousands, in `_` and `ngettext` alike; a bool and a
    text of digits stay as they are."""
    environment = RENDERER.environments[language]
    render = environment.from_string
    assert render('{{ _("%(count)s of %(all)s", count=2120, all="2120") }}').render() == f"{written} of 2120"
    assert render('{{ ngettext("%(count)s minute", "%(count)s minutes", 2120, count=2120) }}').render() in (
        f"{written} minutes",
        f"{written} minuter",
    )
    assert render('{{ _("%(flag)s", flag=True) }}').render() == "True"
