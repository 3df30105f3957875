package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.UncordonNode;
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

/** Node operations: each request becomes a command, answered 202 with where to follow it. */
@Path("/api/v1/nodes/{node}")
@Tag(name = "nodes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class NodesResource {

    private final CommandSubmitter submitter;

    public NodesResource(CommandSubmitter submitter) {
        this.submitter = submitter;
    }

    @POST
    @Path("/cordon")
    @Operation(summary = "Mark the node unschedulable (kubectl cordon)")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response cordon(
            @PathParam("node") @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String node,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.NodeRequest body) {
        return CommandsResource.accepted(submitter.submit(new CordonNode(node, reason(body)), correlationId,
                idempotencyKey));
    }

    @POST
    @Path("/uncordon")
    @Operation(summary = "Make the node schedulable again (kubectl uncordon)")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response uncordon(
            @PathParam("node") @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String node,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.NodeRequest body) {
        return CommandsResource.accepted(submitter.submit(new UncordonNode(node, reason(body)), correlationId,
                idempotencyKey));
    }

    private static String reason(Requests.NodeRequest body) {
        return body == null ? null : body.reason();
    }
}
