-- Idempotency-Key records: a key names one command for as long as it is kept. caller is '' until
-- requests carry an identity (JWT subject); then keys are scoped per caller without a new table.
-- request_hash is the SHA-256 of the command's type and canonical JSON, so the same request with other
-- whitespace or field order is the same request. The command row is written after the key's, in the
-- same transaction, hence the deferred check.
CREATE TABLE idempotency_key (
    caller       text        NOT NULL,
    idem_key     text        NOT NULL,
    request_hash text        NOT NULL,
    command_id   text        NOT NULL REFERENCES command (command_id) DEFERRABLE INITIALLY DEFERRED,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (caller, idem_key)
);
CREATE INDEX idempotency_key_created_at ON idempotency_key (created_at);
