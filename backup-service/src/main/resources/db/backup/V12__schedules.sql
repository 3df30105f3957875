-- One backup schedule per database, set and deleted by commands (SetBackupSchedule, DeleteBackupSchedule).
CREATE TABLE backup_schedule (
    namespace    text        NOT NULL,
    cluster      text        NOT NULL,
    cron         text        NOT NULL,
    zone         text        NOT NULL,
    method       text,
    driver       text,
    keep_last    integer,
    max_age      text,
    drill        boolean     NOT NULL,
    drill_sql    text,
    missed_slots text        NOT NULL CHECK (missed_slots IN ('run-once', 'skip')),
    set_at       timestamptz NOT NULL,
    command_id   text        NOT NULL,
    PRIMARY KEY (namespace, cluster)
);

-- Every slot a schedule reached, run or skipped, recorded before its backup is asked for: the primary key is what
-- makes a slot run once, across restarts and replicas.
CREATE TABLE schedule_slot (
    namespace   text        NOT NULL,
    cluster     text        NOT NULL,
    slot        timestamptz NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('run', 'run-late', 'skipped')),
    backup_id   text,
    reason      text,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (namespace, cluster, slot)
);

-- Backups retention asked to delete, so one is asked for once.
CREATE TABLE retention_deletion (
    backup_id    text PRIMARY KEY,
    reason       text        NOT NULL,
    requested_at timestamptz NOT NULL
);
