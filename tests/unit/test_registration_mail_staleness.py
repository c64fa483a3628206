"""A confirmation rendered before the event's lock is rendered again under it only when the
event changed as the mail shows it: others registering meanwhile (the count in the event's
record) is no reason, or every registration at once would render its mail under the lock."""
import datetime as dt

from app.candidates.registration import mail_differs

EVENT = {"id": 7, "title": "Lagerarbetare", "organization_name": "Lager AB",
         "starts_at": dt.datetime(2026, 12, 24, 9, tzinfo=dt.UTC), "duration_minutes": 120,
         "interview_minutes": 10, "calendar_sequence": 0, "registered": 41,
         "interviewer_count": 3}


def test_others_registering_meanwhile_keeps_the_mail():
    locked = EVENT | {"registered": 57, "now": dt.datetime.now(dt.UTC)}
    assert not mail_differs(EVENT, locked)


def test_a_change_the_mail_shows_renders_it_again():
    for change in ({"title": "Truckförare"}, {"calendar_sequence": 1},
                   {"starts_at": EVENT["starts_at"] + dt.timedelta(hours=1)}):
        assert mail_differs(EVENT, EVENT | change | {"now": dt.datetime.now(dt.UTC)}), change
