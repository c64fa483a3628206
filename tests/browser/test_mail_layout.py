"""The HTML mails on a phone: the labels of a mail's table of facts ("Din personliga länk:",
"Din PIN-kod:") stay whole, each on one line, however long what they label is (a link broken
anywhere); they broke mid-word ("Din personli|ga länk:") at 390 px."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession, CookieJar

from tests.browser.axe import VIEWPORTS
from tests.candidate_support import make_event, register
from tests.mails import unique_email

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_labels_of_a_mail_stay_whole_on_a_phone(new_page, db, base_url, language):
    event = await make_event(db)
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
    html = await db.fetchval(
        "SELECT html_body FROM mail_outbox WHERE to_address = $1 ORDER BY id LIMIT 1", email
    )
    page = await new_page(viewport=VIEWPORTS["phone"])
    await page.set_content(html)
    labels = page.locator("th")
    assert await labels.count() >= 3
    for label in await labels.all():
        # One box for its text: on one line (a label broken over two gives two).
        lines = await label.evaluate(
            "th => { const r = document.createRange(); r.selectNodeContents(th);"
            " return r.getClientRects().length; }"
        )
        assert lines == 1, await label.inner_text()
