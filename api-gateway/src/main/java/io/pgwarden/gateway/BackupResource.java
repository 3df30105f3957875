package io.pgwarden.gateway;

import jakarta.annotation.security.RolesAllowed;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.VerifyBackup;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * One backup by its id: read from backup-service's catalog, drilled by a VerifyBackup command, deleted by a
 * DeleteBackup one. The commands name only the backup; its database comes from the catalog (the gateway's copy, or
 * backup-service, which owns it), so each command is keyed by that database.
 */
@Path("/api/v1/backups/{id}")
@Tag(name = "backups")
@Produces(MediaType.APPLICATION_JSON)
public class BackupResource {
    private final BackupReadModel reads;
    private final CommandSubmitter submitter;

    public BackupResource(BackupReadModel reads, CommandSubmitter submitter) {
        this.reads = reads;
        this.submitter = submitter;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One backup: method, driver, phase, LSNs, snapshots, size, error, verification")
    @APIResponse(responseCode = "200", description = "The backup as the catalog has it")
    @APIResponse(responseCode = "404", description = "No such backup",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public JsonNode backup(@PathParam("id") @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE)
                           String id) {
        return reads.backup(id);
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a backup: its snapshots, and its catalog entry marked deleted",
            description = "The database's last completed backup is refused unless evenTheLastGood=true.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "404", description = "No such backup",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(
            @PathParam("id") @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String id,
            @QueryParam("evenTheLastGood") @DefaultValue("false") boolean evenTheLastGood,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey) {
        BackupReadModel.Database database = reads.database(id);
        return CommandsResource.accepted(submitter.submit(new DeleteBackup(database.namespace(), database.cluster(),
                id, evenTheLastGood, null), correlationId, idempotencyKey));
    }

    @POST
    @Path("/verify")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Drill a backup: restore it into scratch claims and start a throw-away PostgreSQL (VerifyBackup)",
            description = "Records verified or failed (with the reason) on the backup, with the measured restore time"
                    + " against the database's recovery-time objective; a drill over the objective raises an alert."
                    + " Everything it made is deleted. REJECTED for a backup that is not completed or was taken with"
                    + " the rbd driver.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "404", description = "No such backup",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "backup-service did not answer, or " + ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response verify(
            @PathParam("id") @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String id,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.ClusterRequest body) {
        BackupReadModel.Database database = reads.database(id);
        return CommandsResource.accepted(submitter.submit(new VerifyBackup(database.namespace(), database.cluster(),
                id, body == null ? null : body.reason()), correlationId, idempotencyKey));
    }
}
