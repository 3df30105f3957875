package io.pgwarden.failover.incident;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** When a fenced node is given back. */
@ConfigMapping(prefix = "pgwarden.failover.unfence")
public interface UnfenceConfig {

    /**
     * How long the node must have been Ready before its fence is lifted: long enough for its kubelet's housekeeping
     * (every 2 s, {@code HandlePodCleanups}) to have killed the containers of the pods released meanwhile.
     */
    @WithDefault("30s")
    Duration healthyFor();

    /** Lift the fence by itself once the node is healthy again after a recovered incident; else only on request. */
    @WithDefault("false")
    boolean automatic();

    /** How long an unfence may wait for the node before it is FAILED. */
    @WithDefault("30m")
    Duration timeout();
}
