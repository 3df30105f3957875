package io.pgwarden.gateway;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A page of commands, newest first. */
@Schema(description = "Commands, newest first")
public record CommandPage(
        List<CommandView> items,
        @Schema(description = "Send as cursor for the next page; null on the last page") String nextCursor,
        @Schema(description = "When the gateway read its command store; statuses reach it from"
                + " pgwarden.command-status.v1 within moments while it is connected") Instant observedAt) {
}
