"""The HTML mails on a phone: the labels of a mail's table of facts ("Din personliga länk:",
"Din PIN-kod:") stay whole, each on one line (they broke mid-word, "Din personli|ga länk:"),
and a personal link has the whole width of the mail on a row of its own (beside a long label
it was a strip a few letters wide)."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession, CookieJar

from app.events import queries
from app.keys import MAILER
from tests.browser.axe import VIEWPORTS
from tests.candidate_support import make_event, register
from tests.mails import unique_email

pytestmark = pytest.mark.browser

LINK = "https://snabbintervjuer.example.se/i/HdtoUTKUqOdCHIiiFW4iCTMEvXAZsJd-"


async def registration_mail(db, base_url, event, language: str) -> str:
    """The confirmation a registration through the invite page sends."""
    email = unique_email("etikett")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
        status, _ = await register(
            browser,
            base_url,
            event["invite_token"],
            name="Långnamn Östergren",
            email=email,
            language=language,
        )
    assert status == 200
    return await db.fetchval(
        "SELECT html_body FROM mail_outbox WHERE to_address = $1 ORDER BY id LIMIT 1", email
    )


async def invitation_mail(db, app_server, event, language: str) -> str:
    row = await queries.get_by_id(db, event["id"])
    context = {"event": dict(row), "event_starts_at": row["starts_at"], "link": LINK, "code": "123456"}
    context |= {"name": "Östen Ärlebäck-Sjöström af Ödeborg", "replaced": False}
    return app_server[MAILER].render(language, "interviewer_invitation", context).html


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("width", [320, 390])
async def test_labels_stay_whole_and_links_have_the_width(
    new_page, db, base_url, app_server, language, width
):
    event = await make_event(db)
    mails = {
        "registration": await registration_mail(db, base_url, event, language),
        "invitation": await invitation_mail(db, app_server, event, language),
    }
    page = await new_page(viewport={**VIEWPORTS["phone"], "width": width})
    for name, html in mails.items():
        await page.set_content(html)
        labels = page.locator("th")
        assert await labels.count() >= 3, name
        for label in await labels.all():
            # One box for its text: on one line (a label broken over two gives two).
            lines = await label.evaluate(
                "th => { const r = document.createRange(); r.selectNodeContents(th);"
                " return r.getClientRects().length; }"
            )
            assert lines == 1, (name, await label.inner_text())
        # The personal link's cell: the whole width of its table, not a column beside a label.
        share = await page.locator("th ~ td a, tr + tr td a").first.evaluate(
            "a => a.closest('td').getBoundingClientRect().width"
            " / a.closest('table').getBoundingClientRect().width"
        )
        assert share >= 0.9, (name, share)
