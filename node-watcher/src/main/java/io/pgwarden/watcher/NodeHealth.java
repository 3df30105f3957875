package io.pgwarden.watcher;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;

import java.time.Instant;
import java.util.List;

/** A node's health fields, as {@link NodeHealthChanged} carries them. */
record NodeHealth(String node, NodeReadiness readiness, String readyReason, boolean unschedulable,
                  List<String> taints) implements Health<NodeHealthChanged> {
    NodeHealth {
        taints = List.copyOf(taints);
    }

    @Override
    public String key() {
        return node;
    }

    @Override
    public NodeHealthChanged event(boolean deleted, String resourceVersion, Instant observedAt, long sequence) {
        return new NodeHealthChanged(node, readiness, readyReason, unschedulable, taints, deleted, resourceVersion,
                observedAt, sequence);
    }
}
