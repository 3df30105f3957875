package io.pgwarden.failover;

/** Cordon and uncordon on the Kubernetes API, each saying whether it changed anything. */
public interface NodeScheduling {

    enum Change { CHANGED, UNCHANGED, NODE_NOT_FOUND }

    /** Sets {@code spec.unschedulable}; idempotent. */
    Change setUnschedulable(String node, boolean unschedulable);
}
