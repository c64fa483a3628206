"""The HTML mails on a phone: the labels of a mail's table of facts ("Din personliga länk:",
"Din PIN-kod:") break between words only (they broke mid-word, "Din personli|ga länk:"),
and a personal link has the whole width of the mail on a row of its own (beside a long label
it was a strip a few letters wide)."""

from __future__ import annotations

import pytest

from app.candidates.mails import prepare_confirmation
from app.events import queries
from app.keys import MAILER
from tests.browser.axe import VIEWPORTS
from tests.candidate_support import make_event

pytestmark = pytest.mark.browser

LINK = "https://snabbintervjuer.example.se/i/HdtoUTKUqOdCHIiiFW4iCTMEvXAZsJd-"


def registration_mail(app_server, event, language: str) -> str:
    """The confirmation a registration sends, rendered as the registration renders it."""
    candidate = {"id": 1, "name": "Långnamn Östergren", "email": "langnamn@example.se"}
    candidate |= {"language": language, "access_token": LINK.rsplit("/", 1)[1], "pin": "348952"}
    candidate |= {"link_generation": 0}
    public_url = LINK.split("/i/")[0]
    return prepare_confirmation(app_server[MAILER], public_url, event, candidate).html_body


async def invitation_mail(db, app_server, event, language: str) -> str:
    row = await queries.get_by_id(db, event["id"])
    context = {"event": dict(row), "event_starts_at": row["starts_at"], "link": LINK, "code": "123456"}
    context |= {"name": "Östen Ärlebäck-Sjöström af Ödeborg", "replaced": False}
    return app_server[MAILER].render(language, "interviewer_invitation", context).html


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("width", [320, 390])
async def test_labels_stay_whole_and_links_have_the_width_of_the_screen(
    new_page, db, base_url, app_server, language, width
):
    event = await make_event(db)
    mails = {
        "registration": registration_mail(app_server, await queries.get_by_id(db, event["id"]), language),
        "invitation": await invitation_mail(db, app_server, event, language),
    }
    page = await new_page(viewport={**VIEWPORTS["phone"], "width": width})
    for name, html in mails.items():
        await page.set_content(html)
        labels = page.locator("th")
        assert await labels.count() >= 3, name
        for label in await labels.all():
            # No word of it broken over two lines (a label may wrap between its words).
            broken = await label.evaluate(
                """th => {
                  const node = th.firstChild, broken = [];
                  let at = 0;
                  for (const word of node.textContent.split(" ")) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + word.length);
                    if (range.getClientRects().length > 1) broken.push(word);
                    at += word.length + 1;
                  }
                  return broken;
                }"""
            )
            assert broken == [], (name, await label.inner_text())
        # The personal link's cell: the whole width of its table, not a column beside a label.
        share = await page.locator("th ~ td a, tr + tr td a").first.evaluate(
            "a => a.closest('td').getBoundingClientRect().width"
            " / a.closest('table').getBoundingClientRect().width"
        )
        assert share >= 0.9, (name, share)
        # Nothing wider than the screen: no scrolling sideways to read the mail.
        assert await page.evaluate("document.documentElement.scrollWidth") <= width, name
