package io.pgwarden.failover.fence;

import java.util.List;
import java.util.Map;

/** The node to fence, as its Node object describes it. */
public record FenceTarget(String node, Map<String, String> labels, Map<String, String> annotations,
                          List<String> internalAddresses) {
    public FenceTarget {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        internalAddresses = List.copyOf(internalAddresses);
    }
}
