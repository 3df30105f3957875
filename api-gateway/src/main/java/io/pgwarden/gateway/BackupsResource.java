package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.TakeBackup;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
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

/** Backups of a managed cluster. */
@Path("/api/v1/clusters/{namespace}/{cluster}/backups")
@Tag(name = "backups")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BackupsResource {

    private static final int DEFAULT_LIMIT = 50;
    private final CommandSubmitter submitter;
    private final BackupReadModel reads;

    public BackupsResource(CommandSubmitter submitter, BackupReadModel reads) {
        this.submitter = submitter;
        this.reads = reads;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The cluster's backups, newest first, failed and deleted ones included, a page at a time",
            description = "The first pages come from the gateway's copy of backup-service's catalog (its newest 100"
                    + " backups of each database, refreshed every 500 ms; observedAt says when it was read); pages"
                    + " further back are read from backup-service. nextCursor, sent back as cursor, gives the next"
                    + " page; it is null on the last.")
    @APIResponse(responseCode = "200", description = "A page of the backups as backup-service's catalog has them",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BackupPage.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "backup-service has not answered for a while; retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public BackupPage backups(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @Parameter(description = "At most this many, 1 to 500; 50 if not given")
            @QueryParam("limit") @Pattern(regexp = IncidentsResource.LIMIT_PATTERN,
                    message = "must be a whole number from 1 to 500") String limit,
            @Parameter(description = "nextCursor of the previous page")
            @QueryParam("cursor") @Pattern(regexp = Names.BACKUP_ID, message = CommandsResource.CURSOR_MESSAGE)
            String cursor) {
        return reads.page(namespace, cluster, limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit), cursor);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Take a snapshot backup of the cluster")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response takeBackup(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.BackupRequest body) {
        Requests.BackupRequest request = body == null ? Requests.BackupRequest.NONE : body;
        return CommandsResource.accepted(submitter.submit(new TakeBackup(namespace, cluster, request.method(),
                request.driver(), request.label(), null, request.reason()), correlationId, idempotencyKey));
    }
}
