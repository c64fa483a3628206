-- Janus health as each replica sees it (DEPLOYMENT.md, "The Janus fleet"). Until now every
-- replica wrote what it saw into the shared `janus_server` row, so the last one to write
-- won: one replica that could not reach a server showed an outage for everyone, or one
-- that could hid another's. Now each replica keeps its own report per server, renewed at
-- every round of its fleet follower (app/janus/pool.py) and valid until `expires_at`, so a
-- replica that stopped (or crashed) drops out by itself.
CREATE TABLE janus_server_health (
    server       text NOT NULL REFERENCES janus_server (name) ON DELETE CASCADE,
    replica      uuid NOT NULL,   -- one running process; a restart is a new replica
    replica_name text NOT NULL,   -- host and process id, for the operator looking for it
    -- When this replica last had a working connection to the server, and since when it
    -- has found it lost (NULL: it works for this replica).
    last_seen_at timestamptz,
    down_since   timestamptz,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (server, replica)
);
CREATE INDEX janus_server_health_expires_idx ON janus_server_health (expires_at);

-- The shared, last-writer-wins columns are gone.
ALTER TABLE janus_server DROP COLUMN last_seen_at, DROP COLUMN down_since;

-- Each server's health from the reports that hold now: how many replicas report it, how
-- many of them find it lost, since when the first of those has, and when one last saw it
-- working. `down`: every replica that reports it finds it lost (a server no replica
-- reports is not called down: nobody has tried it yet).
CREATE VIEW janus_server_seen AS
SELECT s.name AS server,
       count(h.replica)::int AS replicas,
       (count(h.replica) FILTER (WHERE h.down_since IS NOT NULL))::int AS replicas_lost,
       min(h.down_since) AS down_since,
       max(h.last_seen_at) AS last_seen_at,
       count(h.replica) > 0 AND bool_and(h.down_since IS NOT NULL) AS down
FROM janus_server s
LEFT JOIN janus_server_health h ON h.server = s.name AND h.expires_at > now()
GROUP BY s.name;
