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

    /** How often every known node's and pod's health is published again, for late consumers. */
    @WithDefault("60s")
    Duration snapshotInterval();
}
