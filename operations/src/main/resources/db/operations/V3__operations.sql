-- Every long action is an operation: a command, an incident or a schedule becomes a row, and a driver
-- advances it phase by phase. The row is the truth after a crash; the claim makes one runner at a time.
DROP TABLE command_ledger;

CREATE TABLE operation (
    id               text PRIMARY KEY,
    seq              bigserial   NOT NULL UNIQUE,
    kind             text        NOT NULL,
    subject          text        NOT NULL,
    command_type     text,
    correlation_id   text        NOT NULL,
    command          bytea,
    phase            text        NOT NULL,
    data             jsonb       NOT NULL DEFAULT '{}',
    state            text        NOT NULL,
    step             text,
    reason           text,
    attempt          integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    deadline         timestamptz,
    owner            text,
    claim_expires_at timestamptz,
    status_sequence  bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- The runnable ones, in arrival order per subject.
CREATE INDEX operation_active ON operation (subject, seq) WHERE state IN ('ACCEPTED', 'RUNNING');
CREATE INDEX operation_due ON operation (next_attempt_at) WHERE state IN ('ACCEPTED', 'RUNNING');
