package io.pgwarden.failover.node;

import java.util.Optional;

/** Cordon and uncordon on the Kubernetes API. */
public interface NodeScheduling {

    /** Whether the node is unschedulable; empty when there is no such node. */
    Optional<Boolean> unschedulable(String node);

    /** Sets {@code spec.unschedulable}; idempotent. */
    void setUnschedulable(String node, boolean unschedulable);
}
