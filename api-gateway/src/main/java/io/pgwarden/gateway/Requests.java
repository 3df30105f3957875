package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SnapshotDriver;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies. */
public final class Requests {
    private Requests() {
    }

    /** Optional body of cordon and uncordon. */
    public record NodeRequest(@Size(max = 512) String reason) {
    }

    /** Optional body of unfence: powerOn also powers a Redfish-fenced node on again (off by default). */
    public record UnfenceRequest(Boolean powerOn, @Size(max = 512) String reason) {
    }

    /** Optional body of failover pause and resume. */
    public record FailoverRequest(@Size(max = 512) String reason) {
    }

    /**
     * Optional body of a backup: method and driver default to the StatefulSet's annotations, then to online and the
     * configured driver; label is what pg_backup_start is given (the backup's id when absent).
     */
    public record BackupRequest(BackupMethod method, SnapshotDriver driver,
            @Size(max = 100) @Pattern(regexp = Names.PRINTABLE, message = Names.PRINTABLE_MESSAGE) String label,
            @Size(max = 512) String reason) {
        static final BackupRequest NONE = new BackupRequest(null, null, null, null);
    }

    /** Body of a backup schedule (PUT replaces it); retention needs keepLast, maxAge (ISO-8601, P7D) or both. */
    public record ScheduleRequest(@NotNull(message = "cron is required") @Size(min = 1, max = 120) String cron,
            @Size(max = 64) String zone, BackupMethod method, SnapshotDriver driver, Integer keepLast,
            @Size(max = 40) String maxAge, Boolean drill, @Size(max = 4096) String drillSql, MissedSlots missedSlots,
            @Size(max = 512) String reason) {
    }

    /**
     * Optional body of a database's failover (a move): targetNode makes it land there; ignoreDisruptionBudget
     * deletes the pod when a PodDisruptionBudget refuses its eviction (off by default).
     */
    public record MoveRequest(
            @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String targetNode,
            Boolean ignoreDisruptionBudget, @Size(max = 512) String reason) {
    }

    /** Optional body of failback: moveBack also moves the database back to the node its last move left. */
    public record FailbackRequest(Boolean moveBack, @Size(max = 512) String reason) {
    }

    /** Optional body of stop and start. */
    public record ClusterRequest(@Size(max = 512) String reason) {
    }

    /** {@code ?dryRun=}: checked as text, since JAX-RS makes any word but "true" a silent false. */
    public static final String DRY_RUN_PATTERN = "^(true|false)$";
    public static final String DRY_RUN_MESSAGE = "must be true or false";

    /** The header a caller may set to tie its request to its own trace; at most 128 safe characters. */
    public static final String CORRELATION_HEADER = "X-Correlation-Id";
    public static final String CORRELATION_PATTERN = "^[A-Za-z0-9._:-]{1,128}$";
    public static final String CORRELATION_MESSAGE = "must be 1 to 128 letters, digits, '.', '_', ':' or '-'";

    /**
     * The header that makes a command request safe to retry: the same key with the same command returns
     * the command it made first; with another command it is a 422. Any printable ASCII, 1 to 255 characters.
     */
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    public static final String IDEMPOTENCY_PATTERN = "^[\\x20-\\x7E]{1,255}$";
    public static final String IDEMPOTENCY_MESSAGE = "must be 1 to 255 printable ASCII characters";
}
