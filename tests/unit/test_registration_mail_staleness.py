"""A confirmation rendered before the event's lock is rendered again under it only when the
event changed in between: not because the locked read also brings the database's clock."""

import datetime as dt

from app.candidates.registration import mail_differs

EVENT = {
    "id": 7,
    "title": "Lagerarbetare",
    "organization_name": "Lager AB",
    "starts_at": dt.datetime(2026, 12, 24, 9, tzinfo=dt.UTC),
    "duration_minutes": 120,
    "interview_minutes": 10,
    "calendar_sequence": 0,
}


def test_the_clock_read_with_the_lock_keeps_the_mail():
    assert not mail_differs(EVENT, EVENT | {"now": dt.datetime.now(dt.UTC)})


def test_a_change_of_the_event_renders_it_again():
    for change in (
        {"title": "Truckförare"},
        {"calendar_sequence": 1},
        {"starts_at": EVENT["starts_at"] + dt.timedelta(hours=1)},
    ):
        assert mail_differs(EVENT, EVENT | change | {"now": dt.datetime.now(dt.UTC)}), change
