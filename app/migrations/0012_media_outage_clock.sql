-- The interview's clock stops while its media server is lost and no other can take its room
-- (app/live/reconciler.py). media_lost_at: when the current outage began, NULL while the
-- media works; the sweeper neither ends nor expires an interview while it is set. When a
-- new room is made the outage ends: ends_at (or an offer's offer_expires_at) moves on by the
-- time lost, which is added to media_lost_seconds (the whole interview's lost time, kept
-- for the record), and media_lost_at is NULL again.
ALTER TABLE interview
    ADD COLUMN media_lost_at timestamptz,
    ADD COLUMN media_lost_seconds double precision NOT NULL DEFAULT 0
        CHECK (media_lost_seconds >= 0);
