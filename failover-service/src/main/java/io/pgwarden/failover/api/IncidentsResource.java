package io.pgwarden.failover.api;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
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

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/**
 * The node incidents, read from the operations that run them; the gateway forwards
 * {@code /api/v1/incidents} here. Nothing here changes an incident.
 */
@Path("/incidents")
@Tag(name = "incidents")
@Produces(MediaType.APPLICATION_JSON)
public class IncidentsResource {
    /**
     * An incident id ({@code incident-<node>-<lease renewal in ms>}, see {@code incident/Incidents}): a node name
     * (up to 253 characters) with a prefix and a number.
     */
    static final String ID_PATTERN = "^[A-Za-z0-9._:-]{1,300}$";
    static final String ID_MESSAGE = "must be an incident id: 1 to 300 letters, digits, '.', '_', ':' or '-'";
    /**
     * 1 to 1000 (the gateway pages by 500 at most and asks one more, to know whether there is a next page). Checked
     * as text: JAX-RS answers a query parameter that does not convert to an int with 404, which would tell the
     * caller the wrong thing.
     */
    static final String LIMIT_PATTERN = "^(1000|[1-9][0-9]{0,2})$";
    static final String LIMIT_MESSAGE = "must be a whole number from 1 to 1000";

    private final IncidentQueries queries;
    private final Clock clock;

    public IncidentsResource(IncidentQueries queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Node incidents, newest first")
    @APIResponse(responseCode = "200", description = "The incidents, each with its timeline as of asOf")
    @APIResponse(responseCode = "400", description = "A query parameter is invalid",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The catalog database is unavailable; retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public List<IncidentView> list(
            @Parameter(description = "Only the incidents of this node")
            @QueryParam("node") @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE)
            String node,
            @Parameter(description = "Only the incidents in this state", schema = @Schema(enumeration = {"open",
                    "recovered", "aborted", "failed"}))
            @QueryParam("state") @Pattern(regexp = "^(" + IncidentState.WORDS + ")$",
                    message = "must be one of " + IncidentState.WORDS) String state,
            @Parameter(description = "At most this many (1 to 1000)",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "50"))
            @QueryParam("limit") @DefaultValue("50") @Pattern(regexp = LIMIT_PATTERN, message = LIMIT_MESSAGE)
            String limit,
            @Parameter(description = "Only incidents older than this one (the last of the previous page)")
            @QueryParam("before") @Pattern(regexp = ID_PATTERN, message = ID_MESSAGE) String before)
            throws SQLException {
        if (before != null && queries.find(before).isEmpty()) {
            throw new BadRequestException("before=" + before + " is not an incident");
        }
        var now = clock.instant();
        return queries.list(node, state == null ? null : IncidentState.ofWord(state).orElseThrow(),
                Integer.parseInt(limit), before).stream().map(row -> IncidentView.of(row, now)).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One incident, with its timeline: each phase, when it began and how long it lasted")
    @APIResponse(responseCode = "200", description = "The incident as of asOf")
    @APIResponse(responseCode = "404", description = "No incident has this id",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The catalog database is unavailable; retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public IncidentView get(@PathParam("id") @Pattern(regexp = ID_PATTERN, message = ID_MESSAGE) String id)
            throws SQLException {
        return queries.find(id).map(row -> IncidentView.of(row, clock.instant()))
                .orElseThrow(() -> new NotFoundException("no incident " + id));
    }
}
