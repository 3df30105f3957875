package io.pgwarden.failover.fence;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@link FenceTarget}s read from Node objects. */
public final class FenceTargets {

    private FenceTargets() {
    }

    public static FenceTarget of(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        List<String> internal = node.getStatus() == null || node.getStatus().getAddresses() == null ? List.of()
                : node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                        .map(NodeAddress::getAddress).filter(Objects::nonNull).toList();
        return new FenceTarget(node.getMetadata().getName(), labels == null ? Map.of() : labels,
                annotations == null ? Map.of() : annotations, internal);
    }
}
