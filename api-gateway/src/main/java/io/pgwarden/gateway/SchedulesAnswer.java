package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** The backup schedules, as backup-service keeps them. */
@Schema(description = "Every backup schedule, by namespace and cluster")
public record SchedulesAnswer(
        @Schema(description = "Each schedule as set (cron, zone, method, driver, keepLast, maxAge, drill, missedSlots,"
                + " setAt, commandId), its latest recorded slot (slot, outcome, backupId, reason) and its nextSlot")
        List<JsonNode> items,
        @Schema(description = "When the gateway's copy was read from backup-service") Instant observedAt) {
}
