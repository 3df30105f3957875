package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.DeleteBackupSchedule;
import io.pgwarden.contracts.command.SetBackupSchedule;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A managed database's backup schedule: read from the gateway's copy, set and deleted by commands. backup-service checks the cron expression, the
 * zone and the retention, and answers REJECTED saying what to change.
 */
@Path("/api/v1/clusters/{namespace}/{cluster}/backup-schedule")
@Tag(name = "backups")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BackupSchedulesResource {
    private final CommandSubmitter submitter;
    private final BackupReadModel reads;

    public BackupSchedulesResource(CommandSubmitter submitter, BackupReadModel reads) {
        this.submitter = submitter;
        this.reads = reads;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The database's backup schedule, its latest slot as recorded and its next slot",
            description = "From the gateway's copy of backup-service's schedules, refreshed every 500 ms.")
    @APIResponse(responseCode = "200", description = "The schedule")
    @APIResponse(responseCode = "404", description = "The database has no backup schedule",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "backup-service has not answered for a while; retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public JsonNode get(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster) {
        return reads.schedule(namespace, cluster);
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Set the database's backup schedule (SetBackupSchedule)",
            description = "cron has five fields (Unix, minutes) or six to seven (Quartz, seconds first), read in zone"
                    + " (UTC when absent). Each slot runs once, named after it (<cluster>-<yyyyMMdd-HHmmss>); a slot"
                    + " missed while backup-service was down runs once at start-up (missedSlots run-once, the"
                    + " default) or is skipped (skip). Retention keeps the last keepLast and none older than maxAge,"
                    + " never the database's last good backup.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response set(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid @NotNull(message = "a body with the schedule's cron is required") Requests.ScheduleRequest body) {
        return CommandsResource.accepted(submitter.submit(new SetBackupSchedule(namespace, cluster, body.cron(),
                body.zone(), body.method(), body.driver(), body.keepLast(), body.maxAge(),
                Boolean.TRUE.equals(body.drill()), body.drillSql(), body.missedSlots(), body.reason()), correlationId,
                idempotencyKey));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete the database's backup schedule (DeleteBackupSchedule); its backups stay")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey) {
        return CommandsResource.accepted(submitter.submit(new DeleteBackupSchedule(namespace, cluster, null),
                correlationId, idempotencyKey));
    }
}
