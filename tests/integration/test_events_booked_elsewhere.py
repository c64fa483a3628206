"""An interviewer in two of the organization's events at overlapping times: the event's page
warns (nobody holds two calls at once); both events stay as saved."""

from __future__ import annotations

from tests.accounts import log_in, make_user
from tests.integration.channel_support import new_client
from tests.integration.test_events import create_event, event_page
from tests.mails import unique_email


async def test_an_interviewer_booked_at_the_same_time_elsewhere_is_warned_of(employer, base_url, db):
    http, user = employer
    busy, free = unique_email("upptagen"), unique_email("ledig")
    # 14:00-15:00 here; 14:30-15:30 in another event with the same interviewer (any case of
    # the address); 15:00-16:00 in a third, which only touches this one's end.
    here = await create_event(
        http, base_url, interviewer_email=[busy, free], interviewer_name=["Upptagen", ""]
    )
    overlapping = await create_event(
        http, base_url, title="Lager i Lund", start_time="14:30", interviewer_email=[busy.upper()]
    )
    await create_event(http, base_url, title="Senare samma dag", start_time="15:00", interviewer_email=[busy])
    # Another employer's event at the same time is none of this one's business.
    other = await make_user(db)
    async with new_client() as theirs:
        await log_in(theirs, base_url, other["email"])
        await create_event(theirs, base_url, title="Hemligt jobb", interviewer_email=[busy])
    page = await event_page(http, base_url, here)
    assert 'id="booked-elsewhere"' in page
    assert "Intervjuare i ett annat av era intervjutillfällen samtidigt:" in page
    assert f'Upptagen: <a href="/events/{overlapping}" lang="sv">Lager i Lund</a>' in page
    assert "kl. 14:30 (svensk tid), 60 minuter" in page
    assert "Senare samma dag" not in page and "Hemligt jobb" not in page
    # Said on the other event's page too, and in English.
    await http.get(f"{base_url}/lang/en")
    page = await event_page(http, base_url, overlapping)
    assert "Interviewers in another of your events at the same time:" in page
    assert f'<a href="/events/{here}" lang="sv">Säljare till Malmö</a>' in page
    # Moved apart, the warning goes.
    await db.execute("UPDATE event SET starts_at = starts_at + interval '1 day' WHERE id = $1", overlapping)
    assert 'id="booked-elsewhere"' not in await event_page(http, base_url, here)
