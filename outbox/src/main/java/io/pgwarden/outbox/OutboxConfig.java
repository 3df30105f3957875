package io.pgwarden.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the outbox relay publishes. */
@ConfigMapping(prefix = "pgwarden.outbox")
public interface OutboxConfig {

    /** How often the relay looks for events another replica committed; this replica's own wake it at once. */
    @WithDefault("500ms")
    Duration pollInterval();

    /** Most records published per transaction. */
    @WithDefault("500")
    int batchSize();

    /** How long a batch may wait for the broker's acks before it is rolled back and tried again. */
    @WithDefault("30s")
    Duration publishTimeout();

    /** First wait after a failed batch; doubles up to {@link #retryMax()}. */
    @WithDefault("100ms")
    Duration retryMin();

    @WithDefault("5s")
    Duration retryMax();
}
