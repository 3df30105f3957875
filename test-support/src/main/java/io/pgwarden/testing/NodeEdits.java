package io.pgwarden.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.contracts.Names;

/**
 * A node's spec and labels changed as {@code kubectl cordon} and {@code kubectl label} change them: by a merge patch
 * that carries no resourceVersion. The kubelet and the node lifecycle controller update a node all the time, so a
 * read-modify-write (Fabric8's {@code edit}) meets 409 Conflicts that kubectl never sees.
 */
final class NodeEdits {
    private NodeEdits() {
    }

    /** As {@code kubectl cordon} and {@code uncordon}: an uncordon also drops pgwarden's cordon annotation. */
    static void cordon(KubernetesClient client, String node, boolean unschedulable) {
        merge(client, node, unschedulable
                ? "{\"spec\":{\"unschedulable\":true}}"
                : "{\"spec\":{\"unschedulable\":null},\"metadata\":{\"annotations\":{\""
                        + Names.CORDONED_FOR_ANNOTATION + "\":null}}}");
    }

    /** As {@code kubectl label node}: a null value removes the label. */
    static void label(KubernetesClient client, String node, String key, String value) {
        merge(client, node, "{\"metadata\":{\"labels\":{\"" + key + "\":"
                + (value == null ? "null" : "\"" + value + "\"") + "}}}");
    }

    private static void merge(KubernetesClient client, String node, String patch) {
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }
}
