package io.pgwarden.backup.decide;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What deleting a backup sees.
 *
 * @param backup        its catalog row; empty for an unknown id
 * @param lastCompleted it is the newest completed backup of its database
 * @param snapshots     the VolumeSnapshots labelled with its id; for an rbd backup, the specs of its RBD snapshots
 *                      not yet removed
 * @param rbdSnapshots  for an rbd backup: claim -> the spec of its snapshot, not yet removed
 * @param rbdFailures   for an rbd backup: the failures of its {@code rbd snap rm} Jobs
 */
public record DeleteView(Optional<BackupRow> backup, boolean lastCompleted, List<String> snapshots,
                         Map<String, String> rbdSnapshots, List<String> rbdFailures) {

    public DeleteView {
        snapshots = List.copyOf(snapshots);
        rbdSnapshots = Map.copyOf(rbdSnapshots);
        rbdFailures = List.copyOf(rbdFailures);
    }

    /** A csi backup's view. */
    public DeleteView(Optional<BackupRow> backup, boolean lastCompleted, List<String> snapshots) {
        this(backup, lastCompleted, snapshots, Map.of(), List.of());
    }

    /**
     * @param phase  running, completed, failed or deleted
     * @param driver csi or rbd
     */
    public record BackupRow(String id, String namespace, String cluster, String phase, String driver) {
        public BackupRow(String id, String namespace, String cluster, String phase) {
            this(id, namespace, cluster, phase, "csi");
        }

        public boolean rbd() {
            return "rbd".equals(driver);
        }
    }
}
