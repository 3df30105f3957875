package io.pgwarden.failover;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** {@link NodeScheduling} through the Fabric8 client, with the merge patch {@code kubectl cordon} sends. */
@ApplicationScoped
public class KubernetesNodeScheduling implements NodeScheduling {

    @Inject
    KubernetesClient client;

    @Override
    public Change setUnschedulable(String name, boolean unschedulable) {
        Node node = client.nodes().withName(name).get();
        if (node == null) {
            return Change.NODE_NOT_FOUND;
        }
        boolean current = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        if (current == unschedulable) {
            return Change.UNCHANGED;
        }
        // kubectl uncordon sends {"spec":{"unschedulable":null}}; false has the same effect.
        client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"unschedulable\":" + unschedulable + "}}");
        return Change.CHANGED;
    }
}
