-- What this service did with each command: at-least-once delivery never runs an action twice.
CREATE TABLE command_ledger (
    command_id   text PRIMARY KEY,
    command_type text        NOT NULL,
    subject      text,
    state        text        NOT NULL,
    step         text,
    reason       text,
    accepted_at  timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
