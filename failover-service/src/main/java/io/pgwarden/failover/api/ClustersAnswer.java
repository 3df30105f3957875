package io.pgwarden.failover.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** The managed databases, with how fresh the view is: an empty list says nothing without it. */
@Schema(description = "Every managed database, by namespace and name, as of observedAt")
public record ClustersAnswer(
        @Schema(description = "How fresh this is: now while failover-service's watches of the Kubernetes API are"
                + " open, else the last moment they all were") Instant observedAt,
        List<ClusterView> clusters) {
}
