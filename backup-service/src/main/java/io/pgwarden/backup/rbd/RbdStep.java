package io.pgwarden.backup.rbd;

import java.time.Instant;

/**
 * One rbd snapshot command run as a Job: its Job's name, the backup it belongs to, the command and its snapshot.
 * {@code notBefore} (for {@link RbdAction#CREATE}): a snapshot of that name that already exists counts as made by
 * this step only if it was created at or after it (see {@link RbdJobs#state}).
 */
public record RbdStep(String jobName, String backupId, RbdAction action, RbdImage image, String snapshot,
                      Instant notBefore) {

    /** {@code <pool>/<image>@<snapshot>}. */
    public String snapshotSpec() {
        return image.spec() + "@" + snapshot;
    }

    /**
     * A backup's snapshot of one claim, taken from {@code notBefore}. {@code role} tells the backup's snapshots apart
     * (the operations pass the claim's name, so the snapshot is {@code <backup id>-<claim>}).
     */
    public static RbdStep takeSnapshot(String backupId, String role, RbdImage image, Instant notBefore) {
        return new RbdStep(RbdNames.job(backupId, "snap-" + role), backupId, RbdAction.CREATE, image,
                RbdNames.snapshot(backupId, role), notBefore);
    }

    /** Deletes a backup's snapshot of one claim: a failed backup's cleanup, retention or DeleteBackup. */
    public static RbdStep removeSnapshot(String backupId, String role, RbdImage image) {
        return new RbdStep(RbdNames.job(backupId, "rm-" + role), backupId, RbdAction.REMOVE, image,
                RbdNames.snapshot(backupId, role), null);
    }

    /** Before a rollback: a snapshot of the image as it is, {@code pgwarden-before-restore-<restore id>}. */
    public static RbdStep takeSafetySnapshot(String restoreId, String backupId, String role, RbdImage image,
                                             Instant notBefore) {
        return new RbdStep(RbdNames.job(restoreId, "safety-" + role), backupId, RbdAction.CREATE, image,
                RbdNames.safetySnapshot(restoreId), notBefore);
    }

    /** Rolls the (unmapped) image back to the backup's snapshot of it. */
    public static RbdStep rollBack(String restoreId, String backupId, String role, RbdImage image) {
        return new RbdStep(RbdNames.job(restoreId, "rollback-" + role), backupId, RbdAction.ROLLBACK, image,
                RbdNames.snapshot(backupId, role), null);
    }

    /** Undoes a rollback: rolls the (unmapped) image back to the restore's safety snapshot. */
    public static RbdStep undoRollBack(String restoreId, String backupId, String role, RbdImage image) {
        return new RbdStep(RbdNames.job(restoreId, "undo-" + role), backupId, RbdAction.ROLLBACK, image,
                RbdNames.safetySnapshot(restoreId), null);
    }

    /** Deletes a restore's safety snapshot, once the restore is no longer to be undone. */
    public static RbdStep removeSafetySnapshot(String restoreId, String backupId, String role, RbdImage image) {
        return new RbdStep(RbdNames.job(restoreId, "rm-safety-" + role), backupId, RbdAction.REMOVE, image,
                RbdNames.safetySnapshot(restoreId), null);
    }
}
