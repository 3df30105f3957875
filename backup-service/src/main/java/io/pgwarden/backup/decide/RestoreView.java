package io.pgwarden.backup.decide;

import io.pgwarden.backup.rbd.RbdJobState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a restore (or its undo) sees of one database at one moment: its StatefulSet and pod, the backup and the
 * restore's catalog rows, the claims and volumes it swaps, the backup's snapshots, the helper Job, and, while it waits
 * for the database to come back, what the database answers.
 *
 * @param claims      by name: the database's claims and the restore's scratch claim, those that exist
 * @param volumes     by name: the volumes those claims are bound to and the retained ones, those that exist
 * @param snapshots   the backup's VolumeSnapshots that exist, by name, with whether they are ready to use
 * @param attachments the VolumeAttachments of those volumes, on any node
 * @param database    the database's answers, when its pod is Ready in a phase that waits for them
 * @param rbdImages   for an rbd backup: claim -> the spec of the RBD image its volume is now, for the claims that
 *                    have one
 * @param rbdJobs     for an rbd backup: the restore's rbd Jobs that exist (safety snapshot, rollback, undo) by name
 */
public record RestoreView(Optional<StatefulSetSeen> statefulSet, Optional<PodSeen> pod, Optional<BackupSeen> backup,
                          Optional<RestoreSeen> restore, Map<String, ClaimSeen> claims, Map<String, VolumeSeen> volumes,
                          Map<String, Boolean> snapshots, List<String> attachments, Optional<JobSeen> job,
                          Optional<DatabaseSeen> database, Map<String, String> rbdImages,
                          Map<String, RbdJobState> rbdJobs) {

    public RestoreView {
        claims = Map.copyOf(claims);
        volumes = Map.copyOf(volumes);
        snapshots = Map.copyOf(snapshots);
        attachments = List.copyOf(attachments);
        rbdImages = Map.copyOf(rbdImages);
        rbdJobs = Map.copyOf(rbdJobs);
    }

    /** The view of a csi backup's restore. */
    public RestoreView(Optional<StatefulSetSeen> statefulSet, Optional<PodSeen> pod, Optional<BackupSeen> backup,
                       Optional<RestoreSeen> restore, Map<String, ClaimSeen> claims, Map<String, VolumeSeen> volumes,
                       Map<String, Boolean> snapshots, List<String> attachments, Optional<JobSeen> job,
                       Optional<DatabaseSeen> database) {
        this(statefulSet, pod, backup, restore, claims, volumes, snapshots, attachments, job, database, Map.of(),
                Map.of());
    }

    public RestoreView withDatabase(DatabaseSeen seen) {
        return new RestoreView(statefulSet, pod, backup, restore, claims, volumes, snapshots, attachments, job,
                Optional.of(seen), rbdImages, rbdJobs);
    }

    /**
     * @param managed labelled {@code pgwarden.io/managed=true}
     * @param image   its database container's image, which the helper Job runs
     * @param pgdata  the data directory in that container (its env PGDATA, else the image's default)
     */
    public record StatefulSetSeen(String namespace, String name, boolean managed, int replicas,
                                  Map<String, String> annotations, String image, String pgdata) {
        public StatefulSetSeen {
            annotations = Map.copyOf(annotations);
        }

        public Optional<String> annotation(String key) {
            return Optional.ofNullable(annotations.get(key));
        }
    }

    /** @param terminating it has a deletionTimestamp */
    public record PodSeen(String name, String uid, String node, boolean ready, boolean terminating) {
    }

    /**
     * A backup's catalog row with its snapshots (V10__backups.sql).
     *
     * @param phase   running, completed, failed or deleted
     * @param stopLsn what pg_backup_stop returned, for online backups
     */
    public record BackupSeen(String id, String namespace, String cluster, String method, String driver, String phase,
                             Optional<String> stopLsn, Optional<String> backupLabel, Optional<String> tablespaceMap,
                             Optional<String> error, List<SnapshotSeen> snapshots) {
        public BackupSeen {
            snapshots = List.copyOf(snapshots);
        }

        public boolean rbd() {
            return "rbd".equals(driver);
        }

        public boolean online() {
            return "online".equals(method);
        }

        public List<SnapshotSeen> ofRole(String role) {
            return snapshots.stream().filter(s -> s.role().equals(role)).toList();
        }
    }

    /**
     * One row of {@code backup_snapshot}.
     *
     * @param role      {@code data}, or {@code wal-tail} (the claim holding pg_wal, snapshotted after pg_backup_stop)
     * @param snapshot  the VolumeSnapshot's name
     * @param mountPath where the claim is mounted in the database container
     * @param holdsWal  whether pg_wal is on this claim
     */
    public record SnapshotSeen(String claim, String role, String snapshot, Long restoreSize, String mountPath,
                               boolean holdsWal) {
    }

    /**
     * A restore's catalog row (V11__restores.sql).
     *
     * @param phase    running, completed or failed
     * @param retained claim -> the volume it had before the restore, retained so the restore can be undone
     * @param policies retained volume -> its reclaim policy before the restore
     */
    public record RestoreSeen(String id, String backupId, String namespace, String cluster, String phase,
                              Map<String, String> retained, Map<String, String> policies, Optional<Instant> undoneAt) {
        public RestoreSeen {
            retained = Map.copyOf(retained);
            policies = Map.copyOf(policies);
        }
    }

    /**
     * @param volumeName  the volume it is bound to (spec.volumeName); null while it is not
     * @param bound       status.phase Bound
     * @param size        spec.resources.requests.storage
     * @param deleting    it has a deletionTimestamp
     */
    public record ClaimSeen(String name, String volumeName, boolean bound, String storageClass,
                            List<String> accessModes, String size, boolean deleting) {
        public ClaimSeen {
            accessModes = List.copyOf(accessModes);
        }
    }

    /**
     * @param claimRef    {@code <namespace>/<claim>} of its spec.claimRef; null when it has none
     * @param capacity    spec.capacity.storage
     */
    public record VolumeSeen(String name, String reclaimPolicy, String phase, String claimRef, String storageClass,
                             List<String> accessModes, String capacity) {
        public VolumeSeen {
            accessModes = List.copyOf(accessModes);
        }
    }

    /** The helper Job: finished well, finished badly (with why), or still running. */
    public record JobSeen(String name, boolean succeeded, boolean failed, String message) {
    }

    /**
     * @param writeProblem empty when a write committed through the Service
     * @param replayLsn    pg_last_wal_replay_lsn(): where recovery ended, once it did; empty without recovery
     * @param timeline     the timeline the server writes on (from its current WAL file's name), once it writes
     */
    public record DatabaseSeen(Optional<String> writeProblem, Optional<String> replayLsn, Optional<Long> timeline) {
    }
}
