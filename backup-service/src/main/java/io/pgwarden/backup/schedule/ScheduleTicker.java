package io.pgwarden.backup.schedule;

import io.pgwarden.backup.decide.BackupDecider;
import io.pgwarden.backup.schedule.SlotDecider.Run;
import io.pgwarden.backup.schedule.SlotDecider.Skip;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.command.VerifyBackup;
import io.pgwarden.operations.engine.RunnerRole;
import io.pgwarden.outbox.Outbox;
import io.pgwarden.outbox.Transactions;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Runs the schedules: at each tick, on the replica that runs operations, a due slot is recorded and its TakeBackup
 * put in the outbox in one transaction, and retention's expired backups are asked to be deleted the same way. The
 * backups then run as any command does (status, lock, timeline). A slot's row is its once-only guarantee: a second
 * replica or a restarted one finds it recorded.
 */
@ApplicationScoped
public class ScheduleTicker {
    private static final Logger LOG = Logger.getLogger(ScheduleTicker.class);

    private final Schedules schedules;
    private final DataSource dataSource;
    private final Outbox outbox;
    private final RunnerRole role;
    private final ScheduleConfig config;
    private final Clock clock;

    ScheduleTicker(Schedules schedules, DataSource dataSource, Outbox outbox, RunnerRole role, ScheduleConfig config,
                   Clock clock) {
        this.schedules = schedules;
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.role = role;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "${pgwarden.backup.schedule.tick}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        if (!role.mayRun()) {
            return;
        }
        try {
            for (BackupSchedule schedule : schedules.all()) {
                runDueSlot(schedule);
                requestDrills(schedule);
                applyRetention(schedule);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(e, "backup schedules: this tick failed; the next one tries again");
        }
    }

    private void runDueSlot(BackupSchedule schedule) throws SQLException {
        Instant now = clock.instant();
        boolean queued = Transactions.inTransaction(dataSource, tx -> {
            Instant since = schedules.lastSlot(tx, schedule.namespace(), schedule.cluster())
                    .filter(last -> last.isAfter(schedule.setAt())).orElse(schedule.setAt());
            SlotDecider.Verdict verdict = SlotDecider.decide(schedule.slots(), since, now, config.onTime(),
                    schedule.missedSlots());
            if (verdict instanceof Run run) {
                String id = BackupDecider.backupId(schedule.cluster(), run.slot());
                if (schedules.recordSlot(tx, schedule, run.slot(), run.late() ? "run-late" : "run", id, null, now)) {
                    String reason = "scheduled '" + schedule.cron() + "' (" + schedule.zone() + "), slot " + run.slot()
                            + (run.late() ? ", run late: the service was down at the slot" : "");
                    outbox.add(tx, new TakeBackup(schedule.namespace(), schedule.cluster(), schedule.method(),
                            schedule.driver(), null, run.slot(), reason), schedule.subject(), schedule.subject(), null);
                    LOG.infof("backup schedule of %s: slot %s, backup %s asked for", schedule.subject(), run.slot(),
                            id);
                    return true;
                }
            } else if (verdict instanceof Skip skip) {
                schedules.recordSlot(tx, schedule, skip.slot(), "skipped", null, skip.reason(), now);
                LOG.infof("backup schedule of %s: slot %s skipped: %s", schedule.subject(), skip.slot(),
                        skip.reason());
            }
            return false;
        });
        if (queued) {
            outbox.committed();
        }
    }

    /**
     * With {@code drill: true}, each backup the schedule took is drilled once it completed (those that completed
     * since the schedule was set): a VerifyBackup in the outbox with its {@code drill_request} row. The drill runs the
     * schedule's SQL check itself (DrillWorld reads it).
     */
    private void requestDrills(BackupSchedule schedule) throws SQLException {
        if (!schedule.drill()) {
            return;
        }
        List<String> undrilled = schedules.undrilled(schedule.namespace(), schedule.cluster(), schedule.setAt());
        if (undrilled.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        boolean queued = Transactions.inTransaction(dataSource, tx -> {
            boolean any = false;
            for (String id : undrilled) {
                if (schedules.recordDrill(tx, id, now)) {
                    outbox.add(tx, new VerifyBackup(schedule.namespace(), schedule.cluster(), id,
                            "scheduled drill of a backup of schedule '" + schedule.cron() + "'"), schedule.subject(),
                            schedule.subject(), null);
                    any = true;
                }
            }
            return any;
        });
        if (queued) {
            outbox.committed();
        }
    }

    private void applyRetention(BackupSchedule schedule) throws SQLException {
        Instant now = clock.instant();
        String lastGood = schedules.lastGood(schedule.namespace(), schedule.cluster()).orElse(null);
        Set<String> inUse = schedules.inUse();
        List<RetentionDecider.Expired> expired = RetentionDecider.expired(
                schedules.scheduledBackups(schedule.namespace(), schedule.cluster()), schedule.retention(), lastGood,
                inUse, now);
        if (expired.isEmpty()) {
            return;
        }
        boolean queued = Transactions.inTransaction(dataSource, tx -> {
            boolean any = false;
            for (RetentionDecider.Expired e : expired) {
                if (schedules.recordDeletion(tx, e.id(), e.reason(), now)) {
                    outbox.add(tx, new DeleteBackup(schedule.namespace(), schedule.cluster(), e.id(), false,
                            "retention of the schedule: " + e.reason()), schedule.subject(), schedule.subject(), null);
                    any = true;
                }
            }
            return any;
        });
        if (queued) {
            outbox.committed();
        }
    }
}
