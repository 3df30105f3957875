-- Every command the gateway submitted or saw a status of, with where it stands now.
CREATE TABLE command (
    command_id     text PRIMARY KEY,
    command_type   text,
    subject        text,
    correlation_id text,
    state          text        NOT NULL,
    step           text,
    reason         text,
    service        text,
    submitted_at   timestamptz,
    updated_at     timestamptz NOT NULL
);
