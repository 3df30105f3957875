package io.pgwarden.backup.decide;

import io.pgwarden.backup.rbd.RbdImage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a backup sees of one database at one moment, read fresh from the API server, the backup session and the
 * catalog.
 *
 * @param statefulSet   the database's StatefulSet; empty for an unknown database
 * @param pod           its pod {@code <name>-0}
 * @param claims        the claims its database container mounts, from the StatefulSet's pod template (the pod's spec)
 * @param secretExists  the Secret its {@code pgwarden.io/credentials-secret} annotation names exists
 * @param classes       the VolumeSnapshotClasses
 * @param snapshots     the VolumeSnapshots labelled with this backup's id
 * @param attachments   the VolumeAttachments of the claims' volumes, on any node
 * @param session       the backup session this service holds for the operation
 * @param write         the write check through the Service, when one was made (a cold backup starting the
 *                      database): empty string when the write committed, else the problem
 * @param alreadyExists a backup with this id is in the catalog already, and this operation did not start it
 * @param rbdImages     for the rbd driver, at the start: claim -> the RBD image behind it, or why it has none
 *                      ({@link RbdImageSeen})
 */
public record BackupView(Optional<StatefulSetSeen> statefulSet, Optional<PodSeen> pod, List<ClaimSeen> claims,
                         boolean secretExists, List<ClassSeen> classes, List<SnapshotSeen> snapshots,
                         List<String> attachments, SessionSeen session, Optional<String> write,
                         boolean alreadyExists, Map<String, RbdImageSeen> rbdImages) {

    public BackupView {
        claims = List.copyOf(claims);
        classes = List.copyOf(classes);
        snapshots = List.copyOf(snapshots);
        attachments = List.copyOf(attachments);
        rbdImages = Map.copyOf(rbdImages);
    }

    /** A view without RBD images: the csi driver's, and any phase after the start. */
    public BackupView(Optional<StatefulSetSeen> statefulSet, Optional<PodSeen> pod, List<ClaimSeen> claims,
                      boolean secretExists, List<ClassSeen> classes, List<SnapshotSeen> snapshots,
                      List<String> attachments, SessionSeen session, Optional<String> write, boolean alreadyExists) {
        this(statefulSet, pod, claims, secretExists, classes, snapshots, attachments, session, write, alreadyExists,
                Map.of());
    }

    public BackupView withWrite(Optional<String> problem) {
        return new BackupView(statefulSet, pod, claims, secretExists, classes, snapshots, attachments, session,
                Optional.of(problem.orElse("")), alreadyExists, rbdImages);
    }

    /** The RBD image of a claim ({@code <pool>[/<namespace>]/<image>}), or why the rbd driver cannot snapshot it. */
    public record RbdImageSeen(Optional<RbdImage> image, Optional<String> problem) {
        public static RbdImageSeen of(RbdImage image) {
            return new RbdImageSeen(Optional.of(image), Optional.empty());
        }

        public static RbdImageSeen refused(String problem) {
            return new RbdImageSeen(Optional.empty(), Optional.of(problem));
        }
    }

    /**
     * @param managed     labelled {@code pgwarden.io/managed=true}
     * @param replicas    its spec.replicas
     * @param annotations backup method, snapshot driver and class, credentials Secret, pgwarden's stopped-replicas
     */
    public record StatefulSetSeen(String namespace, String name, boolean managed, int replicas,
                                  Map<String, String> annotations) {
        public StatefulSetSeen {
            annotations = Map.copyOf(annotations);
        }

        public Optional<String> annotation(String key) {
            return Optional.ofNullable(annotations.get(key)).filter(v -> !v.isBlank());
        }
    }

    public record PodSeen(String name, boolean ready, boolean terminating) {
    }

    /**
     * @param name      the claim's name ({@code <template>-<statefulset>-0}, or a volume's claimName)
     * @param mountPath where the database container mounts it
     * @param holdsWal  pg_wal is on it: a separate WAL claim, or the data claim when there is none
     * @param volume    the PersistentVolume it is bound to; empty while unbound or missing
     * @param driver    the volume's CSI driver
     */
    public record ClaimSeen(String name, String mountPath, boolean holdsWal, Optional<String> volume,
                            Optional<String> driver) {
    }

    public record ClassSeen(String name, String driver, boolean isDefault) {
    }

    /**
     * A VolumeSnapshot, or for the rbd driver an RBD snapshot ({@code name} {@code <pool>/<image>@<snapshot>}, cut and
     * ready once its {@code rbd snap create} Job succeeded, {@code error} that Job's failure).
     *
     * @param cut          the snapshot has a {@code status.creationTime}: the volume's content is captured
     * @param ready        {@code status.readyToUse}
     * @param restoreSize  {@code status.restoreSize} in bytes, once ready
     * @param content      {@code status.boundVolumeSnapshotContentName}
     * @param creationTime {@code status.creationTime}
     * @param error        {@code status.error.message}
     */
    public record SnapshotSeen(String name, String claim, String role, boolean cut, boolean ready,
                               Optional<Long> restoreSize, Optional<String> content, Optional<String> creationTime,
                               Optional<String> error) {
    }

    /**
     * The backup session as this service holds it.
     *
     * @param startLsn what {@code pg_backup_start} returned
     * @param stop     what {@code pg_backup_stop} returned, once it did
     * @param problem  for {@link State#LOST}: what ended it
     */
    public record SessionSeen(State state, Optional<String> startLsn, Optional<StopResult> stop,
                              Optional<String> problem) {
        public static final SessionSeen NONE = new SessionSeen(State.NONE, Optional.empty(), Optional.empty(),
                Optional.empty());

        public enum State {
            /** No session for this operation in this process: never opened, or the service restarted. */
            NONE,
            /** {@code pg_backup_start} returned and the connection is alive. */
            STARTED,
            /** {@code pg_backup_stop} returned. */
            STOPPED,
            /** The connection died or a call failed; PostgreSQL ended the backup with the session. */
            LOST
        }
    }

    /** What {@code pg_backup_stop} returned: {@code lsn}, {@code labelfile}, {@code spcmapfile}. */
    public record StopResult(String stopLsn, String backupLabel, String tablespaceMap) {
    }
}
