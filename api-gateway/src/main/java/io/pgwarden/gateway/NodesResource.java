package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.contracts.command.UnfenceNode;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes as node-watcher reports them, and node operations: each operation request becomes a command,
 * answered 202 with where to follow it.
 */
@Path("/api/v1/nodes")
@Tag(name = "nodes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class NodesResource {
    private static final Logger LOG = Logger.getLogger(NodesResource.class);
    /** failover-service's largest page; one node has at most one open incident. */
    private static final int OPEN_INCIDENTS_LIMIT = IncidentReadModel.PAGE;

    private final CommandSubmitter submitter;
    private final NodeHealthConsumer health;
    private final IncidentReadModel incidents;
    private final Clock clock;

    public NodesResource(CommandSubmitter submitter, NodeHealthConsumer health, IncidentReadModel incidents,
                         Clock clock) {
        this.submitter = submitter;
        this.health = health;
        this.incidents = incidents;
        this.clock = clock;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every node: Ready, lease age, liveness, power state, cordoned, fenced, and its open incident",
            description = "From the events of node-watcher on pgwarden.node-health.v1 (each node as of its"
                    + " observedAt; node-watcher republishes every node each snapshot interval, 60 s by default) and"
                    + " the open incidents of failover-service (the gateway's copy, refreshed every 500 ms). When the"
                    + " copy is stale (failover-service silent for 30 s), the nodes are still listed and"
                    + " incidentsUnavailable says why their incident is unknown.")
    @APIResponse(responseCode = "200", description = "The nodes, by name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = NodesAnswer.class)))
    public NodesAnswer list() {
        Map<String, String> open = new HashMap<>();
        String unavailable = null;
        try {
            // Newest first: should a node ever show two open incidents, the newest is the one named.
            incidents.page(null, "open", OPEN_INCIDENTS_LIMIT, null).items().forEach(i -> open.putIfAbsent(i.node(), i.id()));
        } catch (Upstream.UnavailableException e) {
            LOG.debugf("listing nodes without their incidents: %s", e.getMessage());
            unavailable = e.getMessage();
        }
        boolean complete = health.complete();
        List<NodeView> nodes = health.view().nodes().stream()
                .map(n -> NodeView.of(n, open.get(n.node()))).toList();
        return new NodesAnswer(clock.instant(), health.observedAt(), complete, unavailable, nodes);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{node}/cordon")
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
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{node}/uncordon")
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

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/{node}/unfence")
    @Operation(summary = "Lift pgwarden's fence of the node after its incident recovered",
            description = "Removes the out-of-service taint and lifts the NetworkFence; with powerOn, also powers a"
                    + " Redfish-fenced node on again. failover-service refuses (FAILED with the reason) while an old"
                    + " process of a released pod could still write.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response unfence(
            @PathParam("node") @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String node,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.UnfenceRequest body) {
        boolean powerOn = body != null && Boolean.TRUE.equals(body.powerOn());
        return CommandsResource.accepted(submitter.submit(new UnfenceNode(node, powerOn, body == null ? null
                : body.reason()), correlationId, idempotencyKey));
    }

    private static String reason(Requests.NodeRequest body) {
        return body == null ? null : body.reason();
    }
}
