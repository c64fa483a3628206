-- What a process holds is released within seconds of its heartbeat stopping
-- (app/live/connections.py): besides its sockets, the rooms it was making and its mail claims.

-- The process making an offered interview's Janus room, after the dispatch committed
-- (app/live/dispatch.py). While the interview has no room and this process no longer
-- beats (its row is gone from live_process), any live process makes the room instead.
ALTER TABLE interview ADD COLUMN room_maker uuid;
CREATE INDEX interview_roomless_offer ON interview (offered_at)
    WHERE state = 'offered' AND room_id IS NULL;

-- The process that claimed a mail (app/mail/worker.py): a claim of a process that no longer
-- beats is due again at once, not when its lease runs out.
ALTER TABLE mail_outbox ADD COLUMN claimed_by_process uuid;
