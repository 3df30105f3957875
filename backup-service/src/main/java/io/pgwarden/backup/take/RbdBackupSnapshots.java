package io.pgwarden.backup.take;

import io.pgwarden.backup.catalog.BackupRecord;
import io.pgwarden.backup.decide.BackupView;
import io.pgwarden.backup.rbd.RbdImage;
import io.pgwarden.backup.rbd.RbdJobState;
import io.pgwarden.backup.rbd.RbdSnapshots;
import io.pgwarden.backup.rbd.RbdStep;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A backup's RBD snapshots as the operations see them: the catalog's rows (recorded before each {@code rbd snap
 * create} Job starts), with what the take and remove Jobs of each say. Nothing lists RBD snapshots from Kubernetes,
 * so a row is the record of what may exist.
 */
@Singleton
public class RbdBackupSnapshots {
    private final RbdSnapshots rbd;

    public RbdBackupSnapshots(RbdSnapshots rbd) {
        this.rbd = rbd;
    }

    /** claim -> its RBD image, or why the rbd driver cannot snapshot it. */
    public Map<String, BackupView.RbdImageSeen> images(String namespace, List<BackupView.ClaimSeen> claims) {
        Map<String, BackupView.RbdImageSeen> images = new TreeMap<>();
        for (BackupView.ClaimSeen claim : claims) {
            try {
                images.put(claim.name(), BackupView.RbdImageSeen.of(rbd.imageOf(namespace, claim.name())));
            } catch (RbdImage.NotAnRbdVolume e) {
                images.put(claim.name(), BackupView.RbdImageSeen.refused(e.getMessage()));
            }
        }
        return images;
    }

    /**
     * While a backup runs: each row whose create Job exists, cut and ready once it succeeded, with its failure as the
     * error; gone once its remove Job succeeded. A row whose create Job is absent is left out, so the backup starts
     * that Job (again).
     */
    public List<BackupView.SnapshotSeen> ofRunning(BackupRecord backup) {
        List<BackupView.SnapshotSeen> seen = new ArrayList<>();
        for (BackupRecord.Snapshot s : backup.snapshots()) {
            RbdImage image = RbdImage.ofSnapshotSpec(s.snapshot());
            RbdJobState removed = removal(backup.id(), s);
            if (removed.phase() == RbdJobState.Phase.SUCCEEDED) {
                continue;
            }
            RbdJobState taken = rbd.observe(RbdStep.takeSnapshot(backup.id(), s.claim(), image, null).jobName());
            if (taken.phase() == RbdJobState.Phase.ABSENT && removed.phase() == RbdJobState.Phase.ABSENT) {
                continue;
            }
            boolean made = taken.phase() == RbdJobState.Phase.SUCCEEDED;
            Optional<String> error = removed.phase() == RbdJobState.Phase.FAILED ? Optional.of(removed.reason())
                    : taken.phase() == RbdJobState.Phase.FAILED ? Optional.of(taken.reason()) : Optional.empty();
            seen.add(new BackupView.SnapshotSeen(s.snapshot(), s.claim(), s.role(), made, made, Optional.empty(),
                    Optional.empty(), Optional.empty(), error));
        }
        return seen;
    }

    /** For deleting a backup: claim -> its snapshot's spec, for each row whose remove Job has not succeeded. */
    public Map<String, String> remaining(BackupRecord backup) {
        Map<String, String> remaining = new TreeMap<>();
        for (BackupRecord.Snapshot s : backup.snapshots()) {
            if (removal(backup.id(), s).phase() != RbdJobState.Phase.SUCCEEDED) {
                remaining.put(s.claim(), s.snapshot());
            }
        }
        return remaining;
    }

    /** The failures of the remove Jobs of a backup's rows. */
    public List<String> removalFailures(BackupRecord backup) {
        return backup.snapshots().stream().map(s -> removal(backup.id(), s))
                .filter(j -> j.phase() == RbdJobState.Phase.FAILED).map(RbdJobState::reason).toList();
    }

    private RbdJobState removal(String backupId, BackupRecord.Snapshot s) {
        return rbd.observe(RbdStep.removeSnapshot(backupId, s.claim(), RbdImage.ofSnapshotSpec(s.snapshot()))
                .jobName());
    }

    public void start(RbdStep step) {
        rbd.start(step);
    }
}
