-- The candidates in the queue or called in who have missed one turn already (a second miss
-- takes them out of it, app/live/rules.py): their page says so, after a reload too, and
-- again with their next call-in (app/live/event_view.py, `missed_once`). Read with every
-- change of the event: from an index holding only them (a few), not a scan of the queue.
CREATE INDEX queue_entry_missed_once_idx ON queue_entry (event_id)
    WHERE missed_count > 0 AND state IN ('waiting', 'offered');
