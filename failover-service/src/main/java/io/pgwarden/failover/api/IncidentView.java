package io.pgwarden.failover.api;

import io.pgwarden.contracts.event.CommandState;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An incident as the API shows it.
 *
 * @param asOf when this was read: the durations of an open incident run to this time
 */
@Schema(description = "A node incident: what happened to the node, phase by phase")
public record IncidentView(
        @Schema(description = "The incident id (its operation's id)") String id,
        @Schema(description = "The node") String node,
        @Schema(description = "The phase it is in or ended in: suspected, confirmed, fencing, fenced, releasing,"
                + " recovering, recovered, aborted or failed") String phase,
        @Schema(description = "open, recovered, aborted or failed") String state,
        @Schema(description = "How it ended, in words; null while open") String outcome,
        @Schema(description = "What it does now, in words, while open") String step,
        @Schema(description = "When it began: its first phase, or when it was recorded") Instant startedAt,
        @Schema(description = "When it ended; null while open") Instant endedAt,
        @Schema(description = "The managed databases it released, as namespace/name") List<String> databases,
        @Schema(description = "When each database (namespace/name) accepted a write again, as each recovered")
        Map<String, Instant> recoveredAt,
        @Schema(description = "The fence driver it used or uses (redfish, network-fence), if one was chosen")
        String fenceDriver,
        @Schema(description = "Every phase it entered, in time order, with how long it lasted (until the next phase,"
                + " the end, or asOf while open)") List<IncidentTimeline.Entry> timeline,
        @Schema(description = "When failover-service read it from its database") Instant asOf) {

    /** An incident operation as stored in table {@code operation}. */
    public record Row(String id, String node, String phase, CommandState state, String step, String reason,
                      Map<String, String> data, Instant createdAt, Instant updatedAt) {
    }

    /** The keys the incident's decider writes (decide/IncidentDecider). */
    static final String DATABASES = "databases";
    static final String FENCE_DRIVER = "fenceDriver";
    static final String RECOVERED_AT = "recoveredAt.";

    public static IncidentView of(Row row, Instant now) {
        IncidentState state = IncidentState.of(row.state(), row.phase());
        // The engine records the final state last: its write time is when the incident ended.
        Instant endedAt = state == IncidentState.OPEN ? null : row.updatedAt();
        List<IncidentTimeline.Entry> timeline = IncidentTimeline.of(row.data(), endedAt, now);
        Instant startedAt = timeline.isEmpty() ? row.createdAt() : timeline.get(0).at();
        return new IncidentView(row.id(), row.node(), row.phase(), state.word(),
                state == IncidentState.OPEN ? null : row.reason(), state == IncidentState.OPEN ? row.step() : null,
                startedAt, endedAt, databases(row.data().get(DATABASES)), recoveredAt(row.data()),
                row.data().get(FENCE_DRIVER), timeline, now);
    }

    private static Map<String, Instant> recoveredAt(Map<String, String> data) {
        Map<String, Instant> recovered = new TreeMap<>();
        data.forEach((key, value) -> {
            if (key.startsWith(RECOVERED_AT) && key.length() > RECOVERED_AT.length()) {
                try {
                    recovered.put(key.substring(RECOVERED_AT.length()), Instant.parse(value));
                } catch (DateTimeParseException e) {
                    // Left out, as a phase time that does not parse is.
                }
            }
        });
        return recovered;
    }

    private static List<String> databases(String list) {
        return list == null ? List.of()
                : Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
