package io.pgwarden.backup.schedule;

import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SnapshotDriver;

import java.time.Instant;

/** A database's backup schedule as the catalog keeps it. */
public record BackupSchedule(String namespace, String cluster, String cron, String zone, BackupMethod method,
                             SnapshotDriver driver, Retention retention, boolean drill, String drillSql,
                             MissedSlots missedSlots, Instant setAt, String commandId) {

    public String subject() {
        return namespace + "/" + cluster;
    }

    public CronSlots slots() {
        return CronSlots.parse(cron, zone);
    }
}
