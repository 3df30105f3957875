package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;
import io.smallrye.common.annotation.NonBlocking;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The managed databases, answered from the gateway's copy of failover-service's list ({@link ClusterReadModel}) on
 * the event loop (a read of memory needs no worker thread),
 * and the planned operations on one of them, each a command answered 202 with where to follow it. failover-service
 * checks that an operation is safe and answers REJECTED with the reason when it is not; the gateway checks only the
 * request's form. Backups have their own resource ({@link BackupsResource}).
 */
@Path("/api/v1/clusters")
@Tag(name = "clusters")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ClustersResource {

    private final CommandSubmitter submitter;
    private final ClusterReadModel reads;

    public ClustersResource(CommandSubmitter submitter, ClusterReadModel reads) {
        this.submitter = submitter;
        this.reads = reads;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every managed database: pod, node, readiness, phase, the operation holding its lock, its"
            + " last incident", description = "From the gateway's copy of failover-service's list (which watches"
            + " Kubernetes), fetched every pgwarden.gateway.reads.refresh (500 ms): observedAt says how fresh it"
            + " is. phase is running, stopped, moving, failing over, restoring, starting, stopping or unavailable.")
    @APIResponse(responseCode = "200", description = "The managed databases, by namespace and name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ClustersAnswer.class)))
    @APIResponse(responseCode = "502", description = "failover-service answered with an error",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.CLUSTERS_UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @NonBlocking
    public ClustersAnswer list() {
        return reads.clusters();
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{namespace}/{cluster}")
    @Operation(summary = "One managed database", description = "From the same copy as the list.")
    @APIResponse(responseCode = "200", description = "The database as of observedAt",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ClusterView.class)))
    @APIResponse(responseCode = "400", description = "The namespace or name is not a DNS-1123 label",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No StatefulSet labelled pgwarden.io/managed=true has this"
            + " namespace and name", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "failover-service answered with an error",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.CLUSTERS_UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @NonBlocking
    public ClusterView get(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster) {
        return reads.cluster(namespace, cluster);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{namespace}/{cluster}/failover")
    @Operation(summary = "Move the database to another node, as a drain does (MoveDatabase)",
            description = "Cordons its node (pgwarden's cordon, undone by failback), evicts its pod through the"
                    + " Eviction API (a PodDisruptionBudget that allows no disruption fails the move, unless"
                    + " ignoreDisruptionBudget), and waits until it is Ready elsewhere (on targetNode when given) and"
                    + " accepts a write; the result says how long writes were refused. REJECTED when no healthy,"
                    + " schedulable node allowed by the pod's constraints exists, or the database is busy.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response failover(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @Parameter(description = ApiDocs.DRY_RUN, schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
            @QueryParam("dryRun") @Pattern(regexp = Requests.DRY_RUN_PATTERN, message = Requests.DRY_RUN_MESSAGE)
            String dryRun,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.MoveRequest body) {
        boolean ignoreBudget = body != null && Boolean.TRUE.equals(body.ignoreDisruptionBudget());
        return submit(new MoveDatabase(namespace, cluster, body == null ? null : body.targetNode(), ignoreBudget,
                dryRun(dryRun), body == null ? null : body.reason()), correlationId, idempotencyKey);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{namespace}/{cluster}/failback")
    @Operation(summary = "Undo the last move (FailbackDatabase)",
            description = "Uncordons the node the last move left, only when the cordon is pgwarden's own (a node an"
                    + " administrator cordoned stays cordoned, and the result says so); with moveBack, then moves the"
                    + " database back onto it.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response failback(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @Parameter(description = ApiDocs.DRY_RUN, schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
            @QueryParam("dryRun") @Pattern(regexp = Requests.DRY_RUN_PATTERN, message = Requests.DRY_RUN_MESSAGE)
            String dryRun,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.FailbackRequest body) {
        boolean moveBack = body != null && Boolean.TRUE.equals(body.moveBack());
        return submit(new FailbackDatabase(namespace, cluster, moveBack, dryRun(dryRun),
                body == null ? null : body.reason()), correlationId, idempotencyKey);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{namespace}/{cluster}/stop")
    @Operation(summary = "A planned outage: scale the database to 0 (StopDatabase)",
            description = "Records its replica count on the StatefulSet (pgwarden.io/stopped-replicas), scales it to"
                    + " 0, and waits until its pod is gone and its volume detached. While it is stopped, failover"
                    + " leaves it alone and says why. REJECTED when it is stopped already.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response stop(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @Parameter(description = ApiDocs.DRY_RUN, schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
            @QueryParam("dryRun") @Pattern(regexp = Requests.DRY_RUN_PATTERN, message = Requests.DRY_RUN_MESSAGE)
            String dryRun,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.ClusterRequest body) {
        return submit(new StopDatabase(namespace, cluster, dryRun(dryRun), reason(body)), correlationId,
                idempotencyKey);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{namespace}/{cluster}/start")
    @Operation(summary = "End a planned outage (StartDatabase)",
            description = "Scales the database back to the count its stop recorded and waits until it accepts a"
                    + " write. REJECTED when it runs already.")
    @APIResponse(responseCode = "202", description = ApiDocs.ACCEPTED,
            headers = @Header(name = "Location", description = ApiDocs.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandView.class)))
    @APIResponse(responseCode = "400", description = ApiDocs.BAD_REQUEST,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = ApiDocs.KEY_REUSED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response start(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
            @Parameter(description = ApiDocs.DRY_RUN, schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
            @QueryParam("dryRun") @Pattern(regexp = Requests.DRY_RUN_PATTERN, message = Requests.DRY_RUN_MESSAGE)
            String dryRun,
            @HeaderParam(Requests.CORRELATION_HEADER)
            @Pattern(regexp = Requests.CORRELATION_PATTERN, message = Requests.CORRELATION_MESSAGE) String correlationId,
            @Parameter(name = Requests.IDEMPOTENCY_HEADER, in = ParameterIn.HEADER, description = ApiDocs.IDEMPOTENCY_KEY,
                    schema = @Schema(minLength = 1, maxLength = 255, pattern = Requests.IDEMPOTENCY_PATTERN))
            @HeaderParam(Requests.IDEMPOTENCY_HEADER)
            @Pattern(regexp = Requests.IDEMPOTENCY_PATTERN, message = Requests.IDEMPOTENCY_MESSAGE) String idempotencyKey,
            @Valid Requests.ClusterRequest body) {
        return submit(new StartDatabase(namespace, cluster, dryRun(dryRun), reason(body)), correlationId,
                idempotencyKey);
    }

    private Response submit(Command command, String correlationId, String idempotencyKey) {
        return CommandsResource.accepted(submitter.submit(command, correlationId, idempotencyKey));
    }

    private static boolean dryRun(String value) {
        return "true".equals(value);
    }

    private static String reason(Requests.ClusterRequest body) {
        return body == null ? null : body.reason();
    }
}
