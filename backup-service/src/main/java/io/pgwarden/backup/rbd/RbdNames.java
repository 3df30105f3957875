package io.pgwarden.backup.rbd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The names the rbd driver gives its snapshots and Jobs. */
public final class RbdNames {
    /** A label value, and so a Job's name (its pods carry it in {@code batch.kubernetes.io/job-name}). */
    static final int MAX_LABEL = 63;

    private RbdNames() {
    }

    /** A backup's snapshot of one claim: {@code <backup id>-<role>} (role {@code data}, {@code wal}, {@code wal-tail}). */
    public static String snapshot(String backupId, String role) {
        return backupId + "-" + role;
    }

    /** What a restore by rollback keeps of the image it rolls back, so the restore can be undone. */
    public static String safetySnapshot(String restoreId) {
        return "pgwarden-before-restore-" + restoreId;
    }

    /**
     * The Job of one step of one operation: {@code rbd-<operation id>-<step>}, the same on every run, so a run after
     * a crash finds the Job an earlier run started.
     */
    public static String job(String operationId, String step) {
        return fit("rbd-" + operationId + "-" + step);
    }

    /** The value of the {@code pgwarden.io/backup} label for a backup id (ids may be longer than a label). */
    public static String labelValue(String id) {
        return fit(id);
    }

    /** The name itself when it fits a label, else its start and a hash of the whole, so it stays unique. */
    static String fit(String name) {
        if (name.length() <= MAX_LABEL) {
            return name;
        }
        String hash = sha256(name).substring(0, 10);
        String start = name.substring(0, MAX_LABEL - hash.length() - 1).replaceAll("-+$", "");
        return start + "-" + hash;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
