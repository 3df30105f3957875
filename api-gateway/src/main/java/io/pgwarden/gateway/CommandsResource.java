package io.pgwarden.gateway;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;

/** Where a command stands. */
@Path("/api/v1/commands")
@Tag(name = "commands")
@Produces(MediaType.APPLICATION_JSON)
public class CommandsResource {
    static final String ID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    private final CommandStore store;

    public CommandsResource(CommandStore store) {
        this.store = store;
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
