"""Languages: Swedish and English, chosen by cookie, then Accept-Language, then the default.

Templates are rendered by one Jinja environment per language, each with its own compiled
Babel catalog, so a page never mixes languages and rendering needs no per-request globals.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Callable

import jinja2
import jinja2.nodes
from aiohttp import web
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from app.addresses import readable_breaking_at_at_first, readable_domain
from app.keys import LANGUAGE
from app.paths import LOCALES_DIR, TEMPLATES_DIR
from app.script_texts import page_texts_tag
from app.timefmt import format_clock_time, format_event_time

LANGUAGES = ("sv", "en")
# The locale each language writes its numbers in.
LOCALES = {"sv": "sv_SE", "en": "en_GB"}
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def N_(message: str) -> str:
    """Marks text for extraction into the catalogs; it is translated later, where it is shown."""
    return message


def Np_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 (named as N_ is)
    """N_ for a text with a count: both forms for the catalogs (scripts/translations.py
    extracts it as ngettext), chosen by the count where it is shown (the form errors'
    `(message, params)`, with params["count"]: web/templates/_forms.html error_text)."""
    return singular, plural


def negotiate(cookie: str | None, accept_language: str | None, default: str) -> str:
    """The page language: a valid cookie wins, then the best Accept-Language match."""
    if cookie in LANGUAGES:
        return cookie
    wanted = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((quality, tag.strip()))
    # sorted() is stable, so equal qualities keep the browser's order.
    for _, tag in sorted(wanted, key=lambda item: -item[0]):
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return default


def load_translations(language: str, locales_dir: Path = LOCALES_DIR) -> NullTranslations:
    translations = Translations.load(str(locales_dir), [language], domain="messages")
    if language != "en" and not isinstance(translations, Translations):
        # English is the source text; any other language must have a compiled catalog.
        raise RuntimeError(
            f"no compiled catalog for '{language}' in {locales_dir}: "
            "run `pybabel compile -d locales` (scripts/bootstrap does)"
        )
    return translations


def number_written(value: Any, language: str) -> Any:
    """`{{ n | number }}`: a whole number as `_` writes one in a sentence; anything else as it is."""
    return format_decimal(value, locale=LOCALES[language]) if type(value) is int else value


def _numbers_written(variables: dict[str, Any], language: str) -> dict[str, Any]:
    """Whole numbers as the language writes them: "2 120" in Swedish, "2,120" in English
    (a count of registrations, a place in a queue). A bool is no number here."""
    if not any(type(value) is int for value in variables.values()):
        return variables
    return {name: number_written(value, language) for name, value in variables.items()}


def _template_ngettext(ngettext: Callable[[str, str, int], str], language: str) -> Callable[..., str]:
    """`ngettext("…", "…", n, name=value)` in a template: as jinja2.ext.i18n's newstyle
    ngettext (the form chosen by `n`, which is also `num`), numbers written as `_` writes them."""

    @jinja2.pass_eval_context
    def translate(
        eval_context: jinja2.nodes.EvalContext, singular: str, plural: str, count: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", count)
        text = ngettext(singular, plural, count)
        if eval_context.autoescape:
            text = Markup(text)
        return text % _numbers_written(variables, language)

    return translate


def _template_gettext(gettext: Callable[[str], str], language: str) -> Callable[..., str]:
    """`_("…", name=value)` in a template: what jinja2.ext.i18n's newstyle gettext returns
    (the translation, made Markup where the template autoescapes, then `%` with the
    arguments, which Markup escapes), without its two extra hops through the template
    context per call (`_` resolving `gettext`, which calls the catalog through the context):
    a page or mail makes dozens of these calls, and the hops were a good part of rendering."""

    @jinja2.pass_eval_context
    def translate(eval_context: jinja2.nodes.EvalContext, message: str, /, **variables: Any) -> str:
        text = gettext(message)
        if eval_context.autoescape:
            text = Markup(text)
        return text % _numbers_written(variables, language)

    return translate


def title_in_its_language(event: Any) -> Markup:
    """An event's title for a sentence of the page, marked with the event's own language
    (WCAG 3.1.2: an English page read aloud says a Swedish title as Swedish). HTML only."""
    return Markup('<span lang="{}">{}</span>').format(event["language"], event["title"])


def kept_whole(text: str) -> Markup:
    """A short text of a sentence that must not break across lines (an example phone number,
    whose "070-" at the end of a line and "123 45 67" on the next read as two numbers); short
    enough that it cannot make a phone's page wider. HTML only."""
    return Markup('<span class="kept-whole">{}</span>').format(text)


# A word with a hyphen inside it ("PIN-kod", "e-post"), with what clings to it ("PIN-koden,").
HYPHENATED_WORD = re.compile(r"[^\s<>]*\w-\w[^\s<>]*")


def hyphenated_words_kept_whole(text: str) -> Markup:
    """A label or a sentence (an action's, a button's, the question under it) whose
    hyphenated words stay on one line: the hyphen is where a browser may break a line, and
    "Ny länk och PIN-" over "kod" in a narrow column reads as two words. Its spaces still
    break it, so it fits a phone's column as before. One span around it all:
    in a flex box (a button, a summary) each span would be an item of its own, and the space
    before it would go. Plain text only (escaped here, as Markup from `_()` is). HTML only."""
    escaped = str(escape(text))
    kept = HYPHENATED_WORD.sub(r'<span class="kept-whole">\g<0></span>', escaped)
    return Markup(escaped if kept == escaped else f"<span>{kept}</span>")


class Renderer:
    """Renders templates in a given language."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR, locales_dir: Path = LOCALES_DIR):
        self.translations = {lang: load_translations(lang, locales_dir) for lang in LANGUAGES}
        self.environments = {}
        for lang, translations in self.translations.items():
            environment = jinja2.Environment(
                loader=jinja2.FileSystemLoader(templates_dir),
                # .txt templates (plain-text mails and their subjects) are not HTML: escaping
                # them would turn "Åsa & Co" into "Åsa &amp; Co".
                autoescape=jinja2.select_autoescape(
                    ["html", "xml"], disabled_extensions=["txt"], default=True
                ),
                extensions=["jinja2.ext.i18n"],
                undefined=jinja2.StrictUndefined,
            )
            environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
            translate = _template_gettext(translations.gettext, lang)
            environment.globals.update(
                _=translate,
                gettext=translate,
                ngettext=_template_ngettext(translations.ngettext, lang),
                page_texts_tag=functools.partial(page_texts_tag, translations),
            )
            page_texts_tag(translations)  # made now, not in the first page's answer
            environment.filters["event_time"] = functools.partial(format_event_time, language=lang)
            environment.filters["clock_time"] = functools.partial(format_clock_time, language=lang)
            environment.filters["readable_address"] = readable_domain
            environment.filters["readable_breaking_at_at_first"] = readable_breaking_at_at_first
            environment.filters["title_in_its_language"] = title_in_its_language
            environment.filters["hyphenated_words_kept_whole"] = hyphenated_words_kept_whole
            environment.filters["number"] = functools.partial(number_written, language=lang)
            self.environments[lang] = environment

    def gettext(self, language: str) -> Callable[[str], str]:
        return self.translations[language].gettext

    def ngettext(self, language: str) -> Callable[[str, str, int], str]:
        return self.translations[language].ngettext

    def render(self, language: str, template: str, context: dict[str, Any]) -> str:
        return self.environments[language].get_template(template).render(context)


def safe_next(target: str | None) -> str:
    """Only a path on this site: a switch link must never redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    # Browsers drop tabs and line breaks from a URL: "/\t/evil.example" would become "//…".
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in target):
        return "/"
    return target


def prefer_language(request: web.Request, language: str | None) -> None:
    """The page opens in the language the person chose elsewhere (a mail's, a registration
    form's), unless this browser chose one with the switch."""
    if COOKIE not in request.cookies and language in LANGUAGES:
        request[LANGUAGE] = language


def language_of(request: web.Request) -> str:
    return request[LANGUAGE]


def page_context(request: web.Request) -> dict[str, Any]:
    """What the base layout needs: the language, the switch to the other one, the path."""
    lang = language_of(request)
    return {
        "lang": lang,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "current_path": request.path_qs,
    }
