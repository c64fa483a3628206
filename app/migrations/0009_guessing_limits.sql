-- Limits on guessing PINs, meeting codes and passwords (app/throttle.py, app/guessing.py;
-- README "Limits on guessing"). They replace the locks that shut a link or an account for
-- everyone, the right person included.

-- One row per secret: a candidate's PIN ('pin', the candidate's id), an interviewer's code
-- ('code', the interviewer's id), an account's password ('password', a keyed hash of the
-- e-mail address as typed, so unknown addresses are limited alike and no address is kept),
-- and per client address for log-ins ('address'). Wrong tries from unknown devices in a row,
-- and the times of the latest ones (at most as many as a limit needs).
CREATE TABLE guess_secret (
    scope       text NOT NULL CHECK (scope IN ('pin', 'code', 'password', 'address')),
    subject     text NOT NULL CHECK (length(subject) <= 128),
    in_a_row    integer NOT NULL DEFAULT 0 CHECK (in_a_row >= 0),
    recent      timestamptz[] NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, subject)
);
CREATE INDEX guess_secret_updated_idx ON guess_secret (updated_at);

-- Wrong tries in a row of one client on one secret: a known device ('device:' and the
-- SHA-256 of its cookie's nonce) or an address ('address:…').
CREATE TABLE guess_client (
    scope           text NOT NULL,
    subject         text NOT NULL,
    client          text NOT NULL CHECK (length(client) <= 80),
    failures        integer NOT NULL CHECK (failures > 0),
    last_failed_at  timestamptz NOT NULL,
    PRIMARY KEY (scope, subject, client)
);
CREATE INDEX guess_client_time_idx ON guess_client (last_failed_at);

-- Devices that have entered a secret right: only the SHA-256 of the nonce in their signed
-- `device` cookie (app/known_devices.py).
CREATE TABLE known_device (
    scope         text NOT NULL CHECK (scope IN ('pin', 'code', 'password')),
    subject       text NOT NULL,
    device_hash   bytea NOT NULL CHECK (length(device_hash) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, subject, device_hash)
);
CREATE INDEX known_device_used_idx ON known_device (last_used_at);

ALTER TABLE candidate
    DROP COLUMN pin_failures, DROP COLUMN pin_lockouts, DROP COLUMN pin_locked_until;
ALTER TABLE event_interviewer
    DROP COLUMN code_failures, DROP COLUMN code_lockouts, DROP COLUMN code_locked_until;
DROP TABLE login_attempt;
