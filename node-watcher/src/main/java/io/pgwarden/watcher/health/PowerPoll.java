package io.pgwarden.watcher.health;

/** Which nodes' BMCs node-watcher reads every power-poll interval ({@code pgwarden.watcher.power-poll}). */
public enum PowerPoll {
    /** Only nodes that are not ALIVE: the BMC is the second signal after the lease went stale. */
    STALE_NODES,
    /**
     * Every node with a BMC, all the time: a fresh PowerState Off makes a node UNREACHABLE without waiting for its
     * lease (see {@link LivenessJudge}).
     */
    EVERY_NODE
}
