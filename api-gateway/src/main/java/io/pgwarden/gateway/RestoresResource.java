package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.UndoRestore;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
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
 * The undo of a restore in place ({@link RestoreResource} starts one), a command answered 202 with where to follow
 * it. It names only the restore; its database is read from backup-service, which owns the restores, so the command
 * is keyed (and locked) by that database.
 */
@Path("/api/v1/restores")
@Tag(name = "backups")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class RestoresResource {

    private final CommandSubmitter submitter;
    private final BackupReads reads;

    public RestoresResource(CommandSubmitter submitter, BackupReads reads) {
        this.submitter = submitter;
        this.reads = reads;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/undo")
    @Operation(summary = "Put back the volumes a restore replaced (UndoRestore)",
            description = "While they are retained: stops the database, binds its claims to the previous volumes, and"
                    + " starts it. REJECTED for a restore that failed (it put them back itself), one undone already, or"
                    + " when the retained volumes are gone.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "404", description = "No such restore",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "backup-service did not answer, or " + ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response undo(
            @PathParam("id") @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String id,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.ClusterRequest body) {
        BackupClient.RestoreView restore = reads.restore(id);
        return CommandsResource.accepted(submitter.submit(new UndoRestore(restore.namespace(), restore.cluster(), id,
                body == null ? null : body.reason()), correlationId, idempotencyKey));
    }
}
