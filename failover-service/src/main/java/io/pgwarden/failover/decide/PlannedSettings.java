package io.pgwarden.failover.decide;

import java.time.Duration;

/**
 * The planned operations' limits, one per step.
 *
 * @param evictTimeout from the eviction to the old pod gone
 * @param readyTimeout from the old pod gone (or the scale-up) to the new pod Ready
 * @param writeTimeout from the new pod Ready to a write accepted through the Service
 * @param stopTimeout  from the scale to 0 to the pod gone and its volumes detached
 * @param poll         how often to look again while waiting
 */
public record PlannedSettings(Duration evictTimeout, Duration readyTimeout, Duration writeTimeout,
                              Duration stopTimeout, Duration poll) {
}
