package io.pgwarden.contracts.event;

import java.util.List;

/**
 * A node's health as node-watcher sees it, published when any field changes.
 *
 * @param node          node name
 * @param readiness     the node's Ready condition
 * @param readyReason   the condition's reason as the node controller or kubelet set it, if any
 * @param unschedulable whether the node is cordoned
 * @param taints        taints as {@code key[=value]:Effect}
 */
public record NodeHealthChanged(String node, NodeReadiness readiness, String readyReason, boolean unschedulable,
                                List<String> taints) {
    public NodeHealthChanged {
        taints = List.copyOf(taints);
    }
}
