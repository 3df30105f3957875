package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;

import java.time.Instant;
import java.util.List;

/** A node's health fields, as {@link NodeHealthChanged} carries them. */
public record NodeHealth(String node, NodeReadiness readiness, String readyReason, boolean unschedulable,
                  List<String> taints) implements Health<NodeHealthChanged> {
    public NodeHealth {
        taints = List.copyOf(taints);
    }

    @Override
    public String key() {
        return node;
    }

    @Override
    public NodeHealthChanged event(boolean deleted, String resourceVersion, Instant observedAt, long sequence) {
        return new NodeHealthChanged(node, readiness, readyReason, unschedulable, taints, NodeLiveness.ALIVE, null, null,
                null, null, deleted, resourceVersion,
                observedAt, sequence);
    }
}
