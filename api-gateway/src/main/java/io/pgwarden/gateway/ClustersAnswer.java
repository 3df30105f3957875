package io.pgwarden.gateway;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** The managed databases as failover-service serves them, with how fresh its view of Kubernetes is. */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(description = "Every managed database, by namespace and name, as of observedAt")
public record ClustersAnswer(
        @Schema(description = "How fresh this is: now while failover-service's watches of the Kubernetes API are"
                + " open, else the last moment they all were") Instant observedAt,
        List<ClusterView> clusters) {
}
