package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Set (create or replace) a managed database's backup schedule. backup-service checks what Bean Validation cannot
 * (the cron expression, the zone, a retention that would keep nothing) and REJECTS the command saying what to change.
 *
 * @param cron        five fields (Unix, minutes) or six to seven (Quartz, seconds first)
 * @param zone        the IANA time zone the cron is read in; absent: UTC
 * @param method      as {@link TakeBackup#method()}
 * @param driver      as {@link TakeBackup#driver()}
 * @param keepLast    retention: keep the last N of this schedule's backups
 * @param maxAge      retention: delete this schedule's backups older than this ISO-8601 duration ({@code P7D})
 * @param drill       run a restore drill of each backup the schedule takes
 * @param drillSql    a query the drill runs on the restored database; it must return a row
 * @param missedSlots what to do with a slot no backup-service ran at; absent: {@code run-once}
 */
public record SetBackupSchedule(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @NotNull @Size(min = 1, max = 120) String cron,
        @Size(max = 64) String zone,
        BackupMethod method,
        SnapshotDriver driver,
        Integer keepLast,
        @Size(max = 40) String maxAge,
        boolean drill,
        @Size(max = 4096) String drillSql,
        MissedSlots missedSlots,
        @Size(max = 512) String reason) implements ClusterCommand {
}
