-- Drills a schedule with drill = true asked for: one row per backup, written with its VerifyBackup in the outbox in
-- one transaction, so each backup the schedule took is drilled once, across restarts and replicas.
CREATE TABLE drill_request (
    backup_id    text        PRIMARY KEY,
    requested_at timestamptz NOT NULL
);
