package io.pgwarden.backup.decide;

import java.util.List;
import java.util.Map;

/** What a restore drill asks of Kubernetes and the catalog. Each is idempotent. */
public sealed interface DrillAction {

    /** A scratch claim restored from a VolumeSnapshot, labelled with the backup's and the drill's ids. */
    record CreateScratchClaim(String namespace, String claim, String snapshot, String storageClass,
                              List<String> accessModes, String size, String backupId, String drillId)
            implements DrillAction {
    }

    /** The restore's helper Job ({@link RecoveryPreparation}) on the scratch claims. */
    record Prepare(RestoreAction.CreateHelperJob job) implements DrillAction {
    }

    /**
     * The throw-away PostgreSQL: the StatefulSet's template container (image, env, PGDATA) with its claims' mounts on
     * the scratch claims (database claim -> scratch claim), labelled with the backup's and the drill's ids only, so no
     * Service selects it; no node chosen.
     */
    record CreatePod(String namespace, String pod, String statefulSet, Map<String, String> scratchFor,
                     String backupId, String drillId) implements DrillAction {
    }

    /**
     * The drill's result on the backup's row.
     *
     * @param restoreMillis the measured time from the drill's start to the database accepting queries; null when it
     *                      never did
     */
    record RecordVerification(String namespace, String cluster, String backupId, boolean verified, String error,
                              Long restoreMillis, long objectiveMillis, long drillMillis) implements DrillAction {
    }

    /** A Kubernetes Event on the StatefulSet. */
    record Announce(String namespace, String statefulSet, String reason, String message, boolean warning)
            implements DrillAction {
    }

    record DeletePod(String namespace, String pod) implements DrillAction {
    }

    record DeleteJob(String namespace, String job) implements DrillAction {
    }

    record DeleteClaim(String namespace, String claim) implements DrillAction {
    }
}
