-- The backup catalog. A backup is one operation (TakeBackup); its id is <cluster>-<yyyyMMdd-HHmmss> in UTC, the
-- scheduled slot or the time the request was accepted, so a slot never runs twice.
CREATE TABLE backup (
    id             text        PRIMARY KEY,
    namespace      text        NOT NULL,
    cluster        text        NOT NULL,
    method         text        NOT NULL CHECK (method IN ('online', 'crash-consistent', 'cold')),
    driver         text        NOT NULL CHECK (driver IN ('csi', 'rbd')),
    label          text        NOT NULL,
    -- running -> completed | failed; completed -> deleted (its snapshots are gone, the row stays for the record)
    phase          text        NOT NULL CHECK (phase IN ('running', 'completed', 'failed', 'deleted')),
    operation_id   text        NOT NULL,
    schedule       text,
    started_at     timestamptz NOT NULL,
    completed_at   timestamptz,
    -- online only: what pg_backup_start and pg_backup_stop returned
    start_lsn      pg_lsn,
    stop_lsn       pg_lsn,
    backup_label   text,
    tablespace_map text,
    size_bytes     bigint,
    error          text,
    -- the last restore drill: verified | failed, with its measured restore time and the objective it was held to
    verification   text CHECK (verification IN ('verified', 'failed')),
    verified_at    timestamptz,
    verify_error   text,
    drill_millis   bigint,
    rto_millis     bigint
);
CREATE INDEX backup_by_cluster ON backup (namespace, cluster, started_at DESC);

-- One snapshot per claim and role: 'data' (every claim, inside the backup session for online), and for online
-- backups 'wal-tail', the claim holding pg_wal snapshotted again after pg_backup_stop: the WAL up to the stop LSN,
-- which recovery from backup_label needs and which no snapshot taken inside the session can hold.
CREATE TABLE backup_snapshot (
    backup_id     text        NOT NULL REFERENCES backup (id) ON DELETE CASCADE,
    claim         text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('data', 'wal-tail')),
    -- csi: the VolumeSnapshot's name (in the database's namespace); rbd: <pool>/<image>@<snapshot>
    snapshot      text        NOT NULL,
    content       text,
    restore_size  bigint,
    -- where the claim is mounted in the database container, and whether it holds pg_wal
    mount_path    text        NOT NULL,
    holds_wal     boolean     NOT NULL,
    created_at    timestamptz,
    PRIMARY KEY (backup_id, claim, role)
);
