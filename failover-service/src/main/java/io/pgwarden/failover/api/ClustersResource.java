package io.pgwarden.failover.api;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The managed databases: where each runs, what holds its lock, its last incident. Kubernetes is read from
 * {@link ManagedDatabases}' informers, the incidents from the catalog; the gateway forwards
 * {@code /api/v1/clusters} here. Nothing here changes anything.
 */
@Path("/clusters")
@Tag(name = "clusters")
@Produces(MediaType.APPLICATION_JSON)
public class ClustersResource {
    private static final long RETRY_AFTER_SECONDS = 5;

    private final ManagedDatabases databases;
    private final IncidentQueries incidents;

    public ClustersResource(ManagedDatabases databases, IncidentQueries incidents) {
        this.databases = databases;
        this.incidents = incidents;
    }

    @GET
    @Operation(summary = "Every managed database (StatefulSet labelled pgwarden.io/managed=true), by namespace and"
            + " name", description = "Kubernetes as failover-service's watches have it (observedAt says how fresh),"
            + " the incidents as its database has them now.")
    @APIResponse(responseCode = "200", description = "The managed databases (an empty list when there are none)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ClustersAnswer.class)))
    @APIResponse(responseCode = "503", description = "The watches have not listed Kubernetes yet, or the catalog"
            + " database is unavailable; retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ClustersAnswer list() throws SQLException {
        ManagedDatabases.Snapshot snapshot = snapshot();
        return new ClustersAnswer(snapshot.observedAt(), views(snapshot.databases(), snapshot));
    }

    @GET
    @Path("/{namespace}/{cluster}")
    @Operation(summary = "One managed database")
    @APIResponse(responseCode = "200", description = "The database as of observedAt",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ClusterView.class)))
    @APIResponse(responseCode = "400", description = "The namespace or name is not a DNS-1123 label",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No managed StatefulSet has this namespace and name",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The watches have not listed Kubernetes yet, or the catalog"
            + " database is unavailable; retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ClusterView get(
            @PathParam("namespace") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE)
            String namespace,
            @PathParam("cluster") @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE)
            String cluster) throws SQLException {
        String key = namespace + "/" + cluster;
        ManagedDatabases.Snapshot snapshot = snapshot();
        List<ManagedDatabases.Seen> one = snapshot.databases().stream().filter(s -> s.key().equals(key)).toList();
        if (one.isEmpty()) {
            throw new NotFoundException("no managed database " + key + ": no StatefulSet " + cluster
                    + " labelled " + Names.MANAGED_LABEL + "=true in namespace " + namespace);
        }
        return views(one, snapshot).get(0);
    }

    private ManagedDatabases.Snapshot snapshot() {
        return databases.snapshot().orElseThrow(() -> new ServiceUnavailableException(
                "failover-service has not listed the managed StatefulSets, their pods and locks yet",
                RETRY_AFTER_SECONDS));
    }

    private List<ClusterView> views(List<ManagedDatabases.Seen> seen, ManagedDatabases.Snapshot snapshot)
            throws SQLException {
        Map<String, IncidentView.Row> last = incidents.lastPerDatabase(seen.stream().map(ManagedDatabases.Seen::key)
                .toList());
        return seen.stream().map(s -> ClusterView.of(s.statefulSet(), s.pod(), s.lease(), last.get(s.key()),
                snapshot.observedAt())).toList();
    }
}
