package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.contracts.Names;

import java.time.Duration;
import java.util.ArrayList;

import static org.awaitility.Awaitility.await;

/** What an operator does to a lost node in the tests, as client-go's RetryOnConflict does it. */
final class NodeTaints {
    private NodeTaints() {
    }

    /**
     * Taints the node {@code node.kubernetes.io/out-of-service=nodeshutdown}. The node lifecycle controller updates a
     * lost node at the same time (its NoSchedule taints), so a read-modify-write may meet a 409 Conflict: read again
     * and retry, as a client must.
     */
    static void outOfService(KubernetesClient client, String node, String effect) {
        await("taint " + node + " out-of-service").atMost(Duration.ofSeconds(10))
                .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(() -> {
                    client.nodes().withName(node).edit(n -> {
                        n.getSpec().setTaints(new ArrayList<>(n.getSpec().getTaints() == null ? java.util.List.of()
                                : n.getSpec().getTaints()));
                        n.getSpec().getTaints().add(new TaintBuilder().withKey(Names.TAINT_OUT_OF_SERVICE)
                                .withValue("nodeshutdown").withEffect(effect).build());
                        return n;
                    });
                    return true;
                });
    }
}
