package io.pgwarden.backup.decide;

import io.pgwarden.backup.rbd.RbdImage;
import io.pgwarden.backup.rbd.RbdStep;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deleting one backup: deleting (its VolumeSnapshots, by the label with its id, until they are gone; for the rbd
 * driver an {@code rbd snap rm} Job per RBD snapshot in its catalog rows, until each succeeded) → deleted (the
 * catalog row marked {@code deleted}, kept for the record). A running backup, and the database's last completed one
 * unless asked {@code evenTheLastGood}, are refused.
 */
public final class DeleteDecider {
    public static final String DELETING = "deleting";
    public static final String DELETED = "deleted";
    private static final String AT = "at.";
    private static final String RBD = "rbd";

    private DeleteDecider() {
    }

    public static Decision<BackupAction> decide(Operation op, DeleteBackup command, DeleteView view, Instant now,
                                                BackupSettings settings) {
        String key = command.namespace() + "/" + command.cluster();
        String id = command.backupId();
        Map<String, String> data = new HashMap<>(op.data());
        switch (op.phase()) {
            case Operation.START -> {
                if (view.backup().isEmpty()) {
                    return reject(key, "no backup " + id + " in the catalog: GET /api/v1/clusters/" + command.namespace()
                            + "/" + command.cluster() + "/backups lists the backups of " + key);
                }
                DeleteView.BackupRow row = view.backup().get();
                if (!row.namespace().equals(command.namespace()) || !row.cluster().equals(command.cluster())) {
                    return reject(key, "backup " + id + " is of " + row.namespace() + "/" + row.cluster() + ", not of "
                            + key);
                }
                switch (row.phase()) {
                    case "running" -> {
                        return reject(key, "backup " + id + " is still running: wait until it ends");
                    }
                    case "deleted" -> {
                        return reject(key, "backup " + id + " is deleted already");
                    }
                    case "completed" -> {
                        if (view.lastCompleted() && !command.evenTheLastGood()) {
                            return reject(key, "backup " + id + " is the last completed backup of " + key
                                    + ": take another first, or ask again with evenTheLastGood=true");
                        }
                    }
                    default -> {
                    }
                }
                data.put(AT + DELETING, now.toString());
                String step = "deleting backup " + id + " of " + key + ": its snapshots (label pgwarden.io/backup="
                        + id + ")";
                if (row.rbd()) {
                    data.put(RBD, "true");
                    step = "deleting backup " + id + " of " + key + ": rbd snap rm " + String.join(", ",
                            view.snapshots());
                }
                return new Decision<>(List.of(delete(command, view, data)),
                        List.of(new Activity(key, "BackupDeleting", true, step)), Decision.Next.CONTINUE, DELETING,
                        data, step, null, null);
            }
            case DELETING -> {
                if (view.snapshots().isEmpty()) {
                    String outcome = "deleted backup " + id + " of " + key + ": its snapshots are gone, its catalog"
                            + " entry is marked deleted";
                    data.put("outcome", outcome);
                    return new Decision<>(List.of(new BackupAction.RecordDeleted(id)),
                            List.of(new Activity(key, "BackupDeleted", true, outcome)), Decision.Next.CONTINUE,
                            DELETED, data, outcome, null, null);
                }
                if (!view.rbdFailures().isEmpty()) {
                    // An rbd Job runs once (backoffLimit 0): its failure is final.
                    return Decision.fail("backup " + id + " of " + key + ": " + String.join("; ", view.rbdFailures())
                            + "; the backup is not marked deleted: fix the cause, delete the failed Job (or wait for"
                            + " pgwarden.backup.rbd.keep-finished) and ask again");
                }
                Instant since = Instant.parse(data.getOrDefault(AT + DELETING, now.toString()));
                if (now.isAfter(since.plus(settings.cleanupTimeout()))) {
                    return Decision.fail("backup " + id + " of " + key + ": snapshots " + String.join(", ",
                            view.snapshots()) + " still exist after " + settings.cleanupTimeout()
                            + " (a restore from them, or a finalizer, may hold them); the backup is not marked"
                            + " deleted: ask again later");
                }
                return new Decision<>(List.of(delete(command, view, data)), List.of(),
                        Decision.Next.WAIT, DELETING, data, "waiting for " + view.snapshots().size()
                        + " snapshots to go, " + Duration.between(since, now).toSeconds() + " s", settings.poll(),
                        null);
            }
            case DELETED -> {
                return Decision.succeed(data.get("outcome"));
            }
            default -> {
                return Decision.fail("unknown phase " + op.phase() + " of a backup deletion");
            }
        }
    }

    /** Deletes the VolumeSnapshots by their label, or starts an {@code rbd snap rm} Job per remaining RBD snapshot. */
    private static BackupAction delete(DeleteBackup command, DeleteView view, Map<String, String> data) {
        if (!"true".equals(data.get(RBD))) {
            return new BackupAction.DeleteSnapshots(command.namespace(), command.backupId());
        }
        return new BackupAction.RemoveRbdSnapshots(view.rbdSnapshots().entrySet().stream().map(e -> RbdStep
                .removeSnapshot(command.backupId(), e.getKey(), RbdImage.ofSnapshotSpec(e.getValue()))).toList());
    }

    private static Decision<BackupAction> reject(String key, String reason) {
        return Decision.reject(reason, new Activity(key, "BackupDeleteRejected", false, reason));
    }
}
