package io.pgwarden.gateway;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import io.pgwarden.contracts.Names;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;

/** Where a command stands. */
@Path("/api/v1/commands")
@Tag(name = "commands")
@Produces(MediaType.APPLICATION_JSON)
public class CommandsResource {
    static final String CURSOR_PATTERN = "^[A-Za-z0-9_-]{1,100}$";
    static final String CURSOR_MESSAGE = "is not a cursor of this list: send nextCursor back as it came";
    static final String ID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    private final CommandStore store;

    public CommandsResource(CommandStore store) {
        this.store = store;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Commands, newest first, a page at a time",
            description = "From the gateway's command store: every command it submitted or saw a status of, in the"
                    + " order it first stored them. cluster and node select what a command is about (with both, a"
                    + " command about either); nextCursor, sent back as cursor, gives the next page, unaffected by"
                    + " commands stored meanwhile.")
    @APIResponse(responseCode = "200", description = "A page of commands",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandPage.class)))
    @APIResponse(responseCode = "400", description = "A query parameter is invalid; errors name it",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CommandPage list(
            @Parameter(description = "Only commands about this database (namespace/name)")
            @QueryParam("cluster") @Pattern(regexp = EventsResource.CLUSTER_PATTERN,
                    message = EventsResource.CLUSTER_MESSAGE) String cluster,
            @Parameter(description = "Only commands about this node")
            @QueryParam("node") @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE)
            String node,
            @Parameter(description = "Only commands in this state")
            @QueryParam("state") @Pattern(regexp = CommandQuery.STATE_PATTERN, message = CommandQuery.STATE_MESSAGE)
            String state,
            @Parameter(description = "At most this many",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "500", defaultValue = "50"))
            @QueryParam("limit") @Pattern(regexp = IncidentsResource.LIMIT_PATTERN,
                    message = "must be a whole number from 1 to 500") String limit,
            @Parameter(description = "The nextCursor of the previous page")
            @QueryParam("cursor") @Pattern(regexp = CURSOR_PATTERN, message = CURSOR_MESSAGE) String cursor) {
        try {
            return store.list(CommandQuery.of(cluster, node, state, limit, cursor));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("cursor " + e.getMessage());
        }
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}")
    @Operation(summary = "A command's state: SUBMITTED, ACCEPTED, RUNNING, SUCCEEDED, FAILED or REJECTED, with the reason,"
            + " the sequence of the status shown and when the command expires")
    public CommandView get(@PathParam("id") @Pattern(regexp = ID_PATTERN, message = "must be a command id (a UUID)")
                           String id) {
        return store.find(id).orElseThrow(() -> new NotFoundException("no command " + id));
    }

    /** 202 with where to follow the command; a repeated Idempotency-Key gets the same answer. */
    static Response accepted(CommandSubmitter.Submitted submitted) {
        CommandView command = submitted.command();
        return Response.accepted(command).location(URI.create("/api/v1/commands/" + command.id())).build();
    }
}
