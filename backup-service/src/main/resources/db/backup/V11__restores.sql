-- A restore in place (RestoreBackup); its id is the operation's. The volumes it replaced are retained, so that
-- UndoRestore can put them back: retained_volumes maps each claim to the volume it had before, reclaim_policies
-- each such volume to its reclaim policy before the restore set it to Retain.
CREATE TABLE restore (
    id               text        PRIMARY KEY,
    backup_id        text        NOT NULL REFERENCES backup (id),
    namespace        text        NOT NULL,
    cluster          text        NOT NULL,
    -- running -> completed | failed (the previous volumes were put back)
    phase            text        NOT NULL CHECK (phase IN ('running', 'completed', 'failed')),
    started_at       timestamptz NOT NULL,
    completed_at     timestamptz,
    retained_volumes jsonb       NOT NULL DEFAULT '{}',
    reclaim_policies jsonb       NOT NULL DEFAULT '{}',
    error            text,
    undone_at        timestamptz
);
CREATE INDEX restore_by_cluster ON restore (namespace, cluster, started_at DESC);
CREATE INDEX restore_by_backup ON restore (backup_id);
