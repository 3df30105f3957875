package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.contracts.Names;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * {@code node.kubernetes.io/out-of-service=nodeshutdown:NoExecute} (KEP-2268, GA in 1.28): with it, the pod GC
 * deletes the node's terminating pods and the attach/detach controller detaches its volumes at once instead of after
 * its 6-minute timeout. The node lifecycle controller updates the same node's taints, so every write carries the
 * resourceVersion it read and is retried on 409 Conflict rather than overwriting its taints.
 */
@ApplicationScoped
public class OutOfServiceTaint {
    private static final Logger LOG = Logger.getLogger(OutOfServiceTaint.class);
    /** The value the Kubernetes documentation uses for a node that is shut down. */
    static final String VALUE = "nodeshutdown";

    private final KubernetesClient client;

    OutOfServiceTaint(KubernetesClient client) {
        this.client = client;
    }

    public void add(String node) {
        add(node, null);
    }

    /** @param seen the node as just read, if at hand: its write is then the only request unless it conflicts */
    public void add(String node, Node seen) {
        change(node, seen, taints -> {
            if (taints.stream().noneMatch(OutOfServiceTaint::isOutOfService)) {
                taints.add(new TaintBuilder().withKey(Names.TAINT_OUT_OF_SERVICE).withValue(VALUE)
                        .withEffect("NoExecute").build());
            }
            return taints;
        });
    }

    public void remove(String node) {
        change(node, null, taints -> {
            taints.removeIf(OutOfServiceTaint::isOutOfService);
            return taints;
        });
    }

    static boolean isOutOfService(Taint t) {
        return Names.TAINT_OUT_OF_SERVICE.equals(t.getKey());
    }

    private void change(String name, Node seen, UnaryOperator<List<Taint>> edit) {
        Node node = seen;
        for (int attempt = 1; ; attempt++) {
            if (node == null) {
                node = client.nodes().withName(name).get();
            }
            if (node == null) {
                throw new IllegalStateException("node " + name + " is gone");
            }
            List<Taint> before = Optional.ofNullable(node.getSpec().getTaints()).orElse(List.of());
            List<Taint> after = edit.apply(new ArrayList<>(before));
            if (after.equals(before)) {
                return;
            }
            node.getSpec().setTaints(after);
            try {
                client.nodes().resource(node).update();
                LOG.infof("node %s: out-of-service taint %s", name, after.size() > before.size() ? "added" : "removed");
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) {
                    throw e;
                }
                node = null;
            }
        }
    }
}
