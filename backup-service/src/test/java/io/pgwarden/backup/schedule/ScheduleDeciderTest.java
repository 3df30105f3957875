package io.pgwarden.backup.schedule;

import io.pgwarden.backup.schedule.ScheduleDecider.ScheduleAction;
import io.pgwarden.backup.schedule.ScheduleDecider.Store;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SetBackupSchedule;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleDeciderTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void a_valid_schedule_is_stored_then_reported() {
        SetBackupSchedule command = new SetBackupSchedule("default", "pg", "0 3 * * *", "Europe/Berlin",
                BackupMethod.ONLINE, null, 7, "P30D", true, null, MissedSlots.SKIP, null);
        Decision<ScheduleAction> store = ScheduleDecider.set(op(Operation.START), command, Optional.empty(),
                Optional.empty(), NOW);
        assertThat(store.next()).isEqualTo(Decision.Next.CONTINUE);
        BackupSchedule schedule = ((Store) store.actions().get(0)).schedule();
        assertThat(schedule.retention()).isEqualTo(new Retention(7, Duration.ofDays(30)));
        assertThat(schedule.setAt()).isEqualTo(NOW);
        assertThat(schedule.commandId()).isEqualTo("op-1");

        Decision<ScheduleAction> done = ScheduleDecider.set(op("stored"), command, Optional.empty(),
                Optional.of(schedule), NOW);
        assertThat(done.outcome()).isEqualTo("backup schedule of default/pg set: '0 3 * * *' (Europe/Berlin), online,"
                + " keep the last 7 up to PT720H, each drilled, missed slots: skipped");
    }

    @Test
    void a_missing_retention_or_an_unmanaged_database_is_refused() {
        SetBackupSchedule noRetention = new SetBackupSchedule("default", "pg", "0 3 * * *", null, null, null, null,
                null, false, null, null, null);
        assertThat(ScheduleDecider.set(op(Operation.START), noRetention, Optional.empty(), Optional.empty(), NOW)
                .outcome()).isEqualTo("retention needs keepLast, maxAge or both");
        assertThat(ScheduleDecider.set(op(Operation.START), noRetention, Optional.of("not managed"), Optional.empty(),
                NOW).next()).isEqualTo(Decision.Next.REJECT);
    }

    private static Operation op(String phase) {
        return new Operation("op-1", 1, "SetBackupSchedule", "default/pg", "io.pgwarden.SetBackupSchedule", "c", null,
                phase, Map.of(), CommandState.RUNNING, null, null, 0, NOW, null, null, null, 0, NOW, NOW);
    }
}
