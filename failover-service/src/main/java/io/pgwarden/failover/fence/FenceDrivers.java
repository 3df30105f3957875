package io.pgwarden.failover.fence;

import java.util.Optional;

/** TEMPORARY STUB (lead's worktree): replaced by the fence helper's implementation at merge. */
public interface FenceDrivers {
    record Choice(Optional<FenceDriver> driver, Optional<String> problem) {
    }

    Choice choose(FenceTarget target);

    Optional<FenceDriver> byName(String name);

    static FenceTarget target(io.fabric8.kubernetes.api.model.Node node) {
        return new FenceTarget(node.getMetadata().getName(),
                node.getMetadata().getLabels() == null ? java.util.Map.of() : node.getMetadata().getLabels(),
                node.getMetadata().getAnnotations() == null ? java.util.Map.of() : node.getMetadata().getAnnotations(),
                node.getStatus() == null || node.getStatus().getAddresses() == null ? java.util.List.of()
                        : node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                        .map(a -> a.getAddress()).toList());
    }
}
