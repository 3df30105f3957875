package io.pgwarden.failover.fence;

/** TEMPORARY STUB (lead's worktree): replaced by the fence helper's implementation at merge. */
public interface KubernetesEvents {
    void record(String kind, String namespace, String name, String uid, String reason, String message, boolean warning);
}
