package io.pgwarden.backup.schedule;

import io.pgwarden.contracts.command.DeleteBackupSchedule;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SetBackupSchedule;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/** Checks a schedule command against what Bean Validation cannot check, and says what to store. */
public final class ScheduleDecider {
    private ScheduleDecider() {
    }

    /** What the kind stores: a schedule, or the removal of one. */
    public sealed interface ScheduleAction {
    }

    public record Store(BackupSchedule schedule) implements ScheduleAction {
    }

    public record Remove(String namespace, String cluster) implements ScheduleAction {
    }

    /**
     * @param managed   whether the database exists and is managed, or why not
     * @param current   the stored schedule, if any
     */
    public static Decision<ScheduleAction> set(Operation operation, SetBackupSchedule command, Optional<String> managed,
                                               Optional<BackupSchedule> current, Instant now) {
        if (managed.isPresent()) {
            return Decision.reject(managed.get());
        }
        if (operation.phase().equals("stored")) {
            return Decision.succeed("backup schedule of " + command.subject() + " set: " + describe(current.orElseThrow()));
        }
        CronSlots slots;
        try {
            slots = CronSlots.parse(command.cron(), command.zone());
        } catch (IllegalArgumentException e) {
            return Decision.reject(e.getMessage());
        }
        Duration maxAge;
        try {
            maxAge = command.maxAge() == null ? null : Duration.parse(command.maxAge());
        } catch (DateTimeParseException e) {
            return Decision.reject("retention maxAge '" + command.maxAge() + "' is not an ISO-8601 duration such as P7D"
                    + " or PT12H");
        }
        Retention retention = new Retention(command.keepLast(), maxAge);
        Optional<String> problem = retention.problem();
        if (problem.isPresent()) {
            return Decision.reject(problem.get());
        }
        if (slots.nextAfter(now).isEmpty()) {
            return Decision.reject("cron expression '" + command.cron() + "' names no future time");
        }
        BackupSchedule schedule = new BackupSchedule(command.namespace(), command.cluster(), slots.expression(),
                slots.zone().getId(), command.method(), command.driver(), retention, command.drill(),
                command.drillSql(), command.missedSlots() == null ? MissedSlots.RUN_ONCE : command.missedSlots(), now,
                operation.id());
        return Decision.act("stored", "storing the schedule", List.of(new Store(schedule)));
    }

    public static Decision<ScheduleAction> delete(Operation operation, DeleteBackupSchedule command,
                                                  Optional<BackupSchedule> current) {
        if (operation.phase().equals("removed")) {
            return Decision.succeed("backup schedule of " + command.subject() + " deleted; its backups stay");
        }
        if (current.isEmpty()) {
            return Decision.reject(command.subject() + " has no backup schedule");
        }
        return Decision.act("removed", "deleting the schedule",
                List.of(new Remove(command.namespace(), command.cluster())));
    }

    static String describe(BackupSchedule s) {
        return "'" + s.cron() + "' (" + s.zone() + "), " + (s.method() == null ? "the database's method"
                : s.method().wireName()) + ", keep " + (s.retention().keepLast() == null ? "any number"
                : "the last " + s.retention().keepLast()) + (s.retention().maxAge() == null ? ""
                : " up to " + s.retention().maxAge()) + (s.drill() ? ", each drilled" : "") + ", missed slots: "
                + (s.missedSlots() == MissedSlots.RUN_ONCE ? "run once" : "skipped");
    }
}
