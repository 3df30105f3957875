package io.pgwarden.watcher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** node-watcher's settings. */
@ConfigMapping(prefix = "pgwarden.watcher")
public interface WatcherConfig {

    /** How often the informers re-list; changes are published as they come regardless. */
    @WithDefault("5m")
    Duration resyncInterval();

    /** How often the leader publishes every known node's and pod's health again, for late consumers. */
    @WithDefault("60s")
    Duration snapshotInterval();

    /**
     * Threads that publish; each key publishes one event at a time, different keys in parallel, so a key whose
     * publish hangs holds one thread for at most {@code pgwarden.publish-timeout}.
     */
    @WithDefault("4")
    int publishThreads();

    /** Wait before the first retry of a failed publish; it doubles with each failure, up to the max. */
    @WithDefault("100ms")
    Duration publishRetryInitial();

    /** The longest wait between two attempts to publish a key's health. */
    @WithDefault("5s")
    Duration publishRetryMax();

    /**
     * How long a standby remembers a deletion it saw, so that if it takes over from a leader that died before
     * announcing it, it still does.
     */
    @WithDefault("5m")
    Duration deletionMemory();
}
