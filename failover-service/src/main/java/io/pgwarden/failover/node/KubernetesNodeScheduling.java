package io.pgwarden.failover.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** {@link NodeScheduling} through the Fabric8 client, with the merge patch {@code kubectl cordon} sends. */
@ApplicationScoped
public class KubernetesNodeScheduling implements NodeScheduling {
    private final KubernetesClient client;

    public KubernetesNodeScheduling(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Optional<Boolean> unschedulable(String name) {
        Node node = client.nodes().withName(name).get();
        return node == null ? Optional.empty()
                : Optional.of(node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable()));
    }

    @Override
    public void setUnschedulable(String name, boolean unschedulable) {
        // kubectl uncordon sends {"spec":{"unschedulable":null}}; false has the same effect.
        client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"unschedulable\":" + unschedulable + "}}");
    }
}
