package io.pgwarden.gateway;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A page of node incidents, newest first. */
@Schema(description = "Node incidents, newest first")
public record IncidentPage(
        List<IncidentView> items,
        @Schema(description = "Send as cursor for the next page; null on the last page") String nextCursor,
        @Schema(description = "When this was read from failover-service: the gateway's copy, refreshed every"
                + " pgwarden.gateway.reads.refresh, or now for a page beyond it; asOf in each incident says when"
                + " failover-service read it") Instant observedAt) {
}
