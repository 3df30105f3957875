package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * Node incidents, from the gateway's copy of failover-service's (see {@link IncidentReadModel}). The parameters are
 * checked here as failover-service checks them, so a bad request never leaves the gateway.
 */
@Path("/api/v1/incidents")
@Tag(name = "incidents")
@Produces(MediaType.APPLICATION_JSON)
public class IncidentsResource {
    /** As failover-service checks it: {@code incident-<node>-<number>}, and a node name has up to 253 characters. */
    static final String ID_PATTERN = "^[A-Za-z0-9._:-]{1,300}$";
    static final String ID_MESSAGE = "must be an incident id: 1 to 300 letters, digits, '.', '_', ':' or '-'";
    static final String STATE_PATTERN = "^(open|recovered|aborted|failed)$";
    /** 1 to 500, as text: a limit that is not a number is a 400, not the 404 JAX-RS gives an unconvertible int. */
    static final String LIMIT_PATTERN = "^(500|[1-4][0-9]{2}|[1-9][0-9]?)$";

    private static final int DEFAULT_LIMIT = 50;
    private final IncidentReadModel incidents;

    public IncidentsResource(IncidentReadModel incidents) {
        this.incidents = incidents;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Node incidents, newest first, each with its timeline",
            description = "From the gateway's copy of failover-service's newest 500 and open incidents, fetched every"
                    + " pgwarden.gateway.reads.refresh (500 ms); a page reaching further back is forwarded. asOf in"
                    + " each says when failover-service read it. nextCursor, sent back as cursor, gives the next"
                    + " page; it is null on the last.")
    @APIResponse(responseCode = "200", description = "A page of the incidents (items empty when none match)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = IncidentPage.class)))
    @APIResponse(responseCode = "400", description = "A query parameter is invalid; errors name it",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "failover-service answered with an error",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.FAILOVER_UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public IncidentPage list(
            @Parameter(description = "Only the incidents of this node")
            @QueryParam("node") @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE)
            String node,
            @Parameter(description = "Only the incidents in this state",
                    schema = @Schema(enumeration = {"open", "recovered", "aborted", "failed"}))
            @QueryParam("state") @Pattern(regexp = STATE_PATTERN, message = "must be open, recovered, aborted or failed")
            String state,
            @Parameter(description = "At most this many",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "500", defaultValue = "50"))
            @QueryParam("limit") @Pattern(regexp = LIMIT_PATTERN, message = "must be a whole number from 1 to 500")
            String limit,
            @Parameter(description = "nextCursor of the previous page")
            @QueryParam("cursor") @Pattern(regexp = ID_PATTERN, message = CommandsResource.CURSOR_MESSAGE)
            String cursor) {
        return incidents.page(node, state, limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit), cursor);
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}")
    @Operation(summary = "One incident with its timeline: each phase, when it began and how long it lasted",
            description = "From the gateway's copy, or forwarded when the copy does not hold it; asOf says when"
                    + " failover-service read it. An open incident's last phase lasts until asOf.")
    @APIResponse(responseCode = "200", description = "The incident",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IncidentView.class)))
    @APIResponse(responseCode = "400", description = "The id is not an incident id",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No incident has this id",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "failover-service answered with an error",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.FAILOVER_UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public IncidentView get(
            @PathParam("id") @Pattern(regexp = ID_PATTERN, message = ID_MESSAGE) String id) {
        return incidents.incident(id);
    }
}
