package io.pgwarden.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.contracts.Names;

import java.time.Duration;
import java.util.ArrayList;

import static org.awaitility.Awaitility.await;

/**
 * A node's spec, labels, annotations and taints changed the way that works on a live cluster. The kubelet and the
 * node lifecycle controller update a node all the time, so a read-modify-write (Fabric8's {@code edit}) meets 409
 * Conflicts that kubectl never sees: cordon, labels and annotations go as merge patches without a resourceVersion,
 * as {@code kubectl cordon}, {@code label} and {@code annotate} send them. A taint is an element of a list, which a
 * merge patch replaces whole (and a JSON patch with a {@code test} op fails just as a stale update does), so it is
 * read and updated again on a conflict, as client-go's RetryOnConflict does.
 */
public final class NodeEdits {
    private static final Duration RETRY = Duration.ofSeconds(10);

    private NodeEdits() {
    }

    /** As {@code kubectl cordon} and {@code uncordon}: an uncordon also drops pgwarden's cordon annotation. */
    public static void cordon(KubernetesClient client, String node, boolean unschedulable) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        if (unschedulable) {
            patch.putObject("spec").put("unschedulable", true);
        } else {
            patch.putObject("spec").putNull("unschedulable");
            patch.putObject("metadata").putObject("annotations").putNull(Names.CORDONED_FOR_ANNOTATION);
        }
        merge(client, node, patch);
    }

    /** As {@code kubectl label node}: a null value removes the label. */
    public static void label(KubernetesClient client, String node, String key, String valueOrNull) {
        metadata(client, node, "labels", key, valueOrNull);
    }

    /** As {@code kubectl annotate node}: a null value removes the annotation. */
    public static void annotate(KubernetesClient client, String node, String key, String valueOrNull) {
        metadata(client, node, "annotations", key, valueOrNull);
    }

    /** Removes every taint with this key, read again and retried on a 409 Conflict. */
    public static void removeTaint(KubernetesClient client, String node, String key) {
        await("remove taint " + key + " from " + node).atMost(RETRY)
                .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(() -> {
                    client.nodes().withName(node).edit(n -> {
                        if (n.getSpec().getTaints() != null) {
                            n.getSpec().setTaints(new ArrayList<>(n.getSpec().getTaints()));
                            n.getSpec().getTaints().removeIf(t -> key.equals(t.getKey()));
                        }
                        return n;
                    });
                    return true;
                });
    }

    private static void metadata(KubernetesClient client, String node, String field, String key, String valueOrNull) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode entries = patch.putObject("metadata").putObject(field);
        if (valueOrNull == null) {
            entries.putNull(key);
        } else {
            entries.put(key, valueOrNull);
        }
        merge(client, node, patch);
    }

    private static void merge(KubernetesClient client, String node, ObjectNode patch) {
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }
}
