package io.pgwarden.backup.api;

import io.pgwarden.backup.schedule.BackupSchedule;
import io.pgwarden.backup.schedule.Schedules;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SnapshotDriver;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The backup schedules, read-only; the gateway copies them with the catalog. */
@Path("/schedules")
@Produces(MediaType.APPLICATION_JSON)
public class SchedulesResource {
    private final Schedules schedules;
    private final Clock clock;

    public SchedulesResource(Schedules schedules, Clock clock) {
        this.schedules = schedules;
        this.clock = clock;
    }

    /**
     * A schedule as set (SetBackupSchedule), its latest slot as recorded and its next slot.
     *
     * @param maxAge   ISO-8601, as Java writes it ({@code P7D} reads back as {@code PT168H})
     * @param lastSlot null until a slot was reached
     * @param nextSlot the next slot after now, in the schedule's zone
     */
    public record ScheduleJson(String namespace, String cluster, String cron, String zone, BackupMethod method,
                               SnapshotDriver driver, Integer keepLast, String maxAge, boolean drill,
                               MissedSlots missedSlots, Instant setAt, String commandId,
                               Schedules.RecordedSlot lastSlot, Instant nextSlot) {
    }

    /** Every schedule, by namespace and cluster. */
    @GET
    public List<ScheduleJson> list() throws SQLException {
        Instant now = clock.instant();
        Map<String, Schedules.RecordedSlot> last = schedules.lastSlots();
        return schedules.all().stream().map(s -> json(s, last.get(s.subject()), now)).toList();
    }

    private static ScheduleJson json(BackupSchedule s, Schedules.RecordedSlot last, Instant now) {
        return new ScheduleJson(s.namespace(), s.cluster(), s.cron(), s.zone(), s.method(), s.driver(),
                s.retention().keepLast(),
                s.retention().maxAge() == null ? null : s.retention().maxAge().toString(), s.drill(), s.missedSlots(), s.setAt(),
                s.commandId(), last, s.slots().nextAfter(now).orElse(null));
    }
}
