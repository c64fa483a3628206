-- The Janus fleet (DEPLOYMENT.md, "The Janus fleet"): every media server the control plane
-- places rooms on. The servers named in the settings seed it at start-up; admins add,
-- cordon, drain and remove servers with scripts/janus or the operations page, and every
-- replica follows the change at once (NOTIFY janus_fleet) without a restart.
--
-- `state` is the operator's word only: active (gets new rooms), cordoned (no new rooms),
-- draining (no new rooms, and the admin waits for it to empty). Whether the server works is
-- kept apart, in `down_since` and `last_seen_at`, written by the replicas that connect to
-- it: a server that is lost counts as down for placement and comes back in the state the
-- operator gave it.
CREATE TABLE janus_server (
    name             text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40),
    url              text NOT NULL,   -- the control plane's Janus API (WebSocket)
    admin_url        text NOT NULL,   -- its Admin API (private network only)
    public_url       text NOT NULL,   -- where browsers connect
    state            text NOT NULL DEFAULT 'active'
                     CHECK (state IN ('active', 'cordoned', 'draining')),
    weight           integer NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
    -- Named in the settings: its URLs follow the settings at each start (the local stack
    -- picks new ports every time); its state and weight never do. A name in the settings
    -- always means the settings' server.
    from_settings    boolean NOT NULL DEFAULT false,
    added_at         timestamptz NOT NULL DEFAULT now(),
    state_changed_at timestamptz NOT NULL DEFAULT now(),
    -- Health as the replicas see it: when one last had a working connection, and since when
    -- the last one to notice a change has found it lost (NULL: it works).
    last_seen_at     timestamptz,
    down_since       timestamptz,
    -- The reconciler's last listing of the server's own rooms of this deployment, beside the
    -- count the app keeps from the interviews it placed there.
    rooms_listed     integer,
    listed_at        timestamptz
);

-- Rooms in use per server, counted at every placement without asking Janus.
CREATE INDEX interview_live_server_idx ON interview (janus_server)
    WHERE state IN ('offered', 'active');
