package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.VerifyBackup;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
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

import java.util.concurrent.TimeUnit;

/**
 * A restore drill of one backup (VerifyBackup), a command answered 202 with where to follow it. It names only the
 * backup; its database is read from backup-service, which owns the catalog, so the command is keyed by that database.
 */
@Path("/api/v1/backups")
@Tag(name = "backups")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BackupVerifyResource {

    private final CommandSubmitter submitter;
    private final BackupClient backups;
    private final String backupUrl;

    public BackupVerifyResource(CommandSubmitter submitter, GatewayConfig config) {
        this.submitter = submitter;
        this.backupUrl = config.backupUrl().toString();
        long timeout = config.backupTimeout().toMillis();
        this.backups = QuarkusRestClientBuilder.newBuilder().baseUri(config.backupUrl())
                .connectTimeout(timeout, TimeUnit.MILLISECONDS).readTimeout(timeout, TimeUnit.MILLISECONDS)
                .build(BackupClient.class);
    }

    @POST
    @Path("/{id}/verify")
    @Operation(summary = "Drill a backup: restore it into scratch claims and start a throw-away PostgreSQL (VerifyBackup)",
            description = "Records verified or failed (with the reason) on the backup, with the measured restore time"
                    + " against the database's recovery-time objective; a drill over the objective raises an alert."
                    + " Everything it made is deleted. REJECTED for a backup that is not completed or was taken with"
                    + " the rbd driver.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "404", description = "No such backup",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "backup-service did not answer, or " + ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response verify(
            @PathParam("id") @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String id,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.ClusterRequest body) {
        BackupClient.BackupView backup = read(id);
        return CommandsResource.accepted(submitter.submit(new VerifyBackup(backup.namespace(), backup.cluster(), id,
                body == null ? null : body.reason()), correlationId, idempotencyKey));
    }

    private BackupClient.BackupView read(String id) {
        try {
            return backups.backup(id);
        } catch (ProcessingException e) {
            throw new RestoresResource.BackupUnavailableException(503, "backup-service at " + backupUrl
                    + " did not answer (" + e.getMessage() + ")", e);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                throw new NotFoundException("no backup " + id + ": list a database's backups with GET"
                        + " /api/v1/clusters/{namespace}/{cluster}/backups");
            }
            throw new RestoresResource.BackupUnavailableException(502, "backup-service at " + backupUrl
                    + " answered HTTP " + e.getResponse().getStatus(), e);
        }
    }
}
