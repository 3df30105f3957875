package io.pgwarden.gateway;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A node incident as failover-service serves it. Read tolerantly: a field failover-service adds later is
 * ignored here rather than failing every read (the gateway is otherwise strict about what it is sent).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(description = "A node incident: detected, confirmed, fenced, released, recovered (or aborted, or failed)")
public record IncidentView(
        @Schema(description = "The incident id; also the correlation id of everything it did") String id,
        @Schema(description = "The node") String node,
        @Schema(description = "The phase it is in or ended in: suspected, confirmed, fencing, fenced, releasing,"
                + " recovering, recovered, aborted or failed") String phase,
        @Schema(description = "open, recovered, aborted or failed") String state,
        @Schema(description = "How it ended, in words; null while open") String outcome,
        @Schema(description = "What it does now, in words, while open") String step,
        @Schema(description = "When it began") Instant startedAt,
        @Schema(description = "When it ended; null while open") Instant endedAt,
        @Schema(description = "The managed databases it released, as namespace/name") List<String> databases,
        @Schema(description = "When each database (namespace/name) accepted a write again, as each recovered")
        Map<String, Instant> recoveredAt,
        @Schema(description = "The fence driver it used or uses (redfish, network-fence), once chosen")
        String fenceDriver,
        @Schema(description = "Every phase it entered, in time order, with how long it lasted: until the next"
                + " phase, the end, or asOf while open") List<PhaseTime> timeline,
        @Schema(description = "When failover-service read it: how fresh this answer is") Instant asOf) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PhaseTime(@Schema(description = "The phase") String phase,
                            @Schema(description = "When it was entered") Instant at,
                            @Schema(description = "How long it lasted, in milliseconds") long durationMillis) {
    }
}
