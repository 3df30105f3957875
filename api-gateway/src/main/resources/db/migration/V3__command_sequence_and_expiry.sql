-- V2 is the outbox (db/outbox, module pgwarden-outbox): the gateway's commands leave through it.

-- The highest status sequence applied (0: none yet, the gateway only stored the command), and when the
-- command stops being acted on (ce_expiresat; null for commands other systems sent without one).
ALTER TABLE command
    ADD COLUMN sequence   bigint NOT NULL DEFAULT 0,
    ADD COLUMN expires_at timestamptz;
