package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A node's health fields, as {@link NodeHealthChanged} carries them, with the lease's last renewal beside them. The
 * renewal is a reading, not health: {@link #sameHealthAs} leaves it out, so a renewal alone publishes nothing, and the
 * lease's age is computed when the event is built.
 */
public record NodeHealth(String node, NodeReadiness readiness, String readyReason, boolean unschedulable,
                         List<String> taints, NodeLiveness liveness, String livenessReason, String powerState,
                         Instant leaseRenewedAt) implements Health<NodeHealthChanged> {
    public NodeHealth {
        taints = List.copyOf(taints);
    }

    /** A node's health from what its Node object says and what node-watcher judged of it. */
    public static NodeHealth of(NodeFacts facts, NodeLiveness liveness, String livenessReason, String powerState,
                                Instant leaseRenewedAt) {
        return new NodeHealth(facts.node(), facts.readiness(), facts.readyReason(), facts.unschedulable(),
                facts.taints(), liveness, livenessReason, powerState, leaseRenewedAt);
    }

    @Override
    public String key() {
        return node;
    }

    @Override
    public boolean sameHealthAs(Health<NodeHealthChanged> other) {
        return other instanceof NodeHealth o && node.equals(o.node) && readiness == o.readiness
                && Objects.equals(readyReason, o.readyReason) && unschedulable == o.unschedulable
                && taints.equals(o.taints) && liveness == o.liveness && Objects.equals(livenessReason, o.livenessReason)
                && Objects.equals(powerState, o.powerState);
    }

    @Override
    public NodeHealthChanged event(boolean deleted, String resourceVersion, Instant observedAt, long sequence) {
        // The kubelet's clock wrote renewTime: a renewal "after" observedAt is skew, and an age is never negative.
        Long leaseAgeMillis = leaseRenewedAt == null ? null
                : Math.max(0, Duration.between(leaseRenewedAt, observedAt).toMillis());
        return new NodeHealthChanged(node, readiness, readyReason, unschedulable, taints, liveness, livenessReason,
                leaseRenewedAt, leaseAgeMillis, powerState, deleted, resourceVersion, observedAt, sequence);
    }
}
