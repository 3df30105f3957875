package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.TakeBackup;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Backups of a managed cluster. */
@Path("/api/v1/clusters/{namespace}/{cluster}/backups")
@Tag(name = "backups")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BackupsResource {

    private final CommandSubmitter submitter;

    public BackupsResource(CommandSubmitter submitter) {
        this.submitter = submitter;
    }

    @POST
    @Operation(summary = "Take a snapshot backup of the cluster")
    public Response takeBackup(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Valid @NotNull(message = "a body with the backup method is required") Requests.BackupRequest body) {
        return CommandsResource.accepted(submitter.submit(
                new TakeBackup(namespace, cluster, body.method(), body.reason()), correlationId));
    }
}
