package io.pgwarden.gateway;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Every database's backup schedule at once, for the operator page and for scripts. */
@Path("/api/v1/backup-schedules")
@Tag(name = "backups")
@Produces(MediaType.APPLICATION_JSON)
public class ScheduleListResource {
    private final BackupReadModel reads;

    public ScheduleListResource(BackupReadModel reads) {
        this.reads = reads;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every backup schedule, its latest slot as recorded and its next slot",
            description = "From the gateway's copy of backup-service's schedules, refreshed every 500 ms.")
    @APIResponse(responseCode = "200", description = "The schedules",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SchedulesAnswer.class)))
    @APIResponse(responseCode = "503", description = "backup-service has not answered for a while; retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SchedulesAnswer list() {
        return reads.schedules();
    }
}
