package io.pgwarden.backup.decide;

import java.util.List;
import java.util.Optional;

/**
 * What deleting a backup sees.
 *
 * @param backup        its catalog row; empty for an unknown id
 * @param lastCompleted it is the newest completed backup of its database
 * @param snapshots     the VolumeSnapshots labelled with its id
 */
public record DeleteView(Optional<BackupRow> backup, boolean lastCompleted, List<String> snapshots) {

    public DeleteView {
        snapshots = List.copyOf(snapshots);
    }

    /** @param phase running, completed, failed or deleted */
    public record BackupRow(String id, String namespace, String cluster, String phase) {
    }
}
