package io.pgwarden.backup.decide;

import io.pgwarden.backup.rbd.RbdStep;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What a backup asks of Kubernetes, the database and the catalog. Each is idempotent. */
public sealed interface BackupAction {

    /** The catalog row of a running backup. */
    record RecordStarted(String backupId, String namespace, String cluster, String method, String driver,
                         String label, String operationId, Instant startedAt, Instant slot)
            implements BackupAction {
    }

    /** Open the session and run {@code pg_backup_start(label, fast => true)} on it. */
    record StartSession(String operationId, String namespace, String cluster, String label) implements BackupAction {
    }

    /** {@code pg_backup_stop(wait_for_archive => false)} on the session. */
    record StopSession(String operationId) implements BackupAction {
    }

    /** Close the session; a backup still in progress on it ends with it. */
    record CloseSession(String operationId) implements BackupAction {
    }

    /**
     * A VolumeSnapshot {@code name} of {@code claim} labelled with the backup's id, and its catalog row.
     *
     * @param role {@code data} or {@code wal-tail}
     */
    record CreateSnapshot(String namespace, String name, String backupId, String claim, String role,
                          String snapshotClass, String mountPath, boolean holdsWal, Map<String, String> annotations)
            implements BackupAction {
        public CreateSnapshot {
            annotations = Map.copyOf(annotations);
        }
    }

    /**
     * An RBD snapshot (rbd driver): {@code row} into the catalog (its name the snapshot's spec), then {@code step}'s
     * {@code rbd snap create} Job unless it exists.
     */
    record CreateRbdSnapshot(CreateSnapshot row, RbdStep step) implements BackupAction {
    }

    /** Starts each step's {@code rbd snap rm} Job unless it exists (rbd driver). */
    record RemoveRbdSnapshots(List<RbdStep> steps) implements BackupAction {
        public RemoveRbdSnapshots {
            steps = List.copyOf(steps);
        }
    }

    /** Adds annotations to every snapshot of the backup. */
    record AnnotateSnapshots(String namespace, String backupId, Map<String, String> annotations)
            implements BackupAction {
        public AnnotateSnapshots {
            annotations = Map.copyOf(annotations);
        }
    }

    /** What the session returned, into the catalog. */
    record RecordLsns(String backupId, String startLsn, String stopLsn, String backupLabel, String tablespaceMap)
            implements BackupAction {
    }

    /** The backup completed: each snapshot's content, size and creation time, and the total size. */
    record RecordCompleted(String backupId, List<BackupView.SnapshotSeen> snapshots, long sizeBytes,
                           Instant completedAt, String method, String driver, long millis) implements BackupAction {
        public RecordCompleted {
            snapshots = List.copyOf(snapshots);
        }
    }

    /** The backup failed, with why; {@code millis} from its start, for the duration metric. */
    record RecordFailed(String backupId, String error, Instant at, String method, String driver, long millis)
            implements BackupAction {
    }

    /** Deletes every VolumeSnapshot labelled with the backup's id. */
    record DeleteSnapshots(String namespace, String backupId) implements BackupAction {
    }

    record RecordDeleted(String backupId) implements BackupAction {
    }

    /** spec.replicas through the scale subresource. */
    record Scale(String namespace, String statefulSet, int replicas) implements BackupAction {
    }

    /** Sets the StatefulSet's annotations; a null value removes one. */
    record Annotate(String namespace, String statefulSet, Map<String, String> annotations) implements BackupAction {
    }
}
