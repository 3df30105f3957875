package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A page of a database's backups, newest first. */
@Schema(description = "A database's backups, newest first, failed and deleted ones included")
public record BackupPage(
        @Schema(description = "The backups as backup-service's catalog has them: id, method, driver, phase, LSNs,"
                + " snapshots, size, error, verification") List<JsonNode> items,
        @Schema(description = "Send as cursor for the next page; null on the last page") String nextCursor,
        @Schema(description = "When this was read from backup-service's catalog: the gateway's copy, refreshed every"
                + " pgwarden.gateway.reads.refresh, or now for a page beyond it") Instant observedAt) {
}
