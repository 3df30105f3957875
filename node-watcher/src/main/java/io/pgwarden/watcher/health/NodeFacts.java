package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeReadiness;

import java.util.List;

/**
 * What a Node object says that node-watcher uses: its health fields, and where its BMC answers.
 *
 * @param bmcAddress the node's Redfish system URL (annotation {@code pgwarden.io/bmc-address}), or null
 */
public record NodeFacts(String node, NodeReadiness readiness, String readyReason, boolean unschedulable,
                        List<String> taints, String bmcAddress) {
    public NodeFacts {
        taints = List.copyOf(taints);
    }
}
