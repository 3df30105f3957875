package io.pgwarden.failover.planned;

import io.pgwarden.failover.decide.PlannedSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The planned operations' limits, per step (see {@link PlannedSettings}). */
@ConfigMapping(prefix = "pgwarden.failover.planned")
public interface PlannedConfig {

    /** The eviction to the old pod gone: its terminationGracePeriodSeconds (30 s by default) and some. */
    @WithDefault("2m")
    Duration evictTimeout();

    /** The old pod gone (or the scale-up) to the new pod Ready: a volume attach, an image pull, PostgreSQL's start. */
    @WithDefault("5m")
    Duration readyTimeout();

    /** The new pod Ready to a write accepted through the Service. */
    @WithDefault("1m")
    Duration writeTimeout();

    /** The scale to 0 to the pod gone and its volumes detached. */
    @WithDefault("3m")
    Duration stopTimeout();

    @WithDefault("500ms")
    Duration poll();

    /** The engine's backstop for one operation; the steps' own limits end it long before. */
    @WithDefault("30m")
    Duration timeout();

    default PlannedSettings settings() {
        return new PlannedSettings(evictTimeout(), readyTimeout(), writeTimeout(), stopTimeout(), poll());
    }
}
