package io.pgwarden.gateway;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** The nodes, and how far the answer can be trusted. */
@Schema(description = "Every node node-watcher reports, each as of its own observedAt")
public record NodesAnswer(
        @Schema(description = "When the gateway answered; compare with each node's observedAt") Instant asOf,
        @Schema(description = "How fresh the view is: the last moment the gateway had read everything on the"
                + " node-health topic (null until it first has). Behind asOf by about a second while the broker"
                + " answers; further while it does not") Instant observedAt,
        @Schema(description = "False while the gateway, after its start, has not yet read the node-health topic up"
                + " to where it stood: nodes may then be missing or older than they are") boolean complete,
        @Schema(description = "Why the incident of each node is unknown (failover-service did not answer); null when"
                + " failover-service answered") String incidentsUnavailable,
        List<NodeView> nodes) {
}
