package io.pgwarden.backup.decide;

import io.pgwarden.backup.rbd.RbdStep;

import java.util.List;
import java.util.Map;

/** What a restore or its undo asks of Kubernetes, the catalog and the database. Each is idempotent. */
public sealed interface RestoreAction {

    /** The restore's catalog row, phase running (nothing when it exists). */
    record RecordStart(String restoreId, String backupId, String namespace, String cluster) implements RestoreAction {
    }

    /** The volumes the restore retains: claim -> volume, and each volume's reclaim policy before. */
    record RecordRetained(String restoreId, Map<String, String> retained, Map<String, String> policies)
            implements RestoreAction {
    }

    /** The restore's end, completed or failed, with its duration for the metrics. */
    record RecordEnd(String restoreId, boolean failed, String error, long millis) implements RestoreAction {
    }

    /** The restore was undone. */
    record RecordUndone(String restoreId) implements RestoreAction {
    }

    /** spec.replicas through the scale subresource. */
    record Scale(String namespace, String statefulSet, int replicas) implements RestoreAction {
    }

    /** Sets the StatefulSet's annotations; a null value removes one. */
    record Annotate(String namespace, String statefulSet, Map<String, String> annotations) implements RestoreAction {
    }

    /** A Kubernetes Event on the StatefulSet. */
    record Announce(String namespace, String statefulSet, String reason, String message, boolean warning)
            implements RestoreAction {
    }

    /** spec.persistentVolumeReclaimPolicy of a volume. */
    record SetReclaimPolicy(String volume, String policy) implements RestoreAction {
    }

    /** Deletes a claim, only while it is still bound to {@code volume} (null: whatever it is bound to). */
    record DeleteClaim(String namespace, String claim, String volume) implements RestoreAction {
    }

    /**
     * A claim restored from a VolumeSnapshot ({@code dataSource}), labelled with the restore's id.
     *
     * @param size at least the snapshot's restoreSize
     */
    record CreateClaimFromSnapshot(String namespace, String claim, String snapshot, String storageClass,
                                   List<String> accessModes, String size, String restoreId) implements RestoreAction {
    }

    /**
     * Puts a retained volume back under a claim of the same name: reserves the volume for it (spec.claimRef with
     * namespace and name, no uid) and creates the claim naming it (spec.volumeName), as Kubernetes documents for
     * binding a claim to a chosen volume.
     */
    record BindClaimToVolume(String namespace, String claim, String volume, String storageClass,
                             List<String> accessModes, String size) implements RestoreAction {
    }

    /**
     * The helper Job: the database's image running {@code sh -c script}, with the claims mounted (claim -> path),
     * labelled {@code label=labelValue} (a restore's or a drill's id).
     */
    record CreateHelperJob(String namespace, String job, String image, String script, Map<String, String> env,
                           Map<String, String> mounts, String label, String labelValue) implements RestoreAction {
    }

    record DeleteJob(String namespace, String job) implements RestoreAction {
    }

    /** Starts an rbd step's Job unless it exists (safety snapshot, rollback, undo of a rollback). */
    record StartRbdStep(RbdStep step) implements RestoreAction {
    }

    /** ALTER SYSTEM RESET of the recovery settings the helper Job wrote, and a reload. */
    record ResetRecoverySettings(String namespace, String statefulSet) implements RestoreAction {
    }
}
