package io.pgwarden.backup.decide;

import java.time.Duration;

/**
 * A restore's limits, one per step.
 *
 * @param stopTimeout  from the scale to 0 to the pod gone and its volumes detached
 * @param claimTimeout from the first claim change to every claim bound to its new (or old) volume
 * @param jobTimeout   from the helper Job's creation to its end
 * @param readyTimeout from the scale-up to the pod Ready
 * @param writeTimeout from the pod Ready to a write accepted through the Service (recovery runs meanwhile)
 * @param poll         how often to look again while waiting
 */
public record RestoreSettings(Duration stopTimeout, Duration claimTimeout, Duration jobTimeout, Duration readyTimeout,
                              Duration writeTimeout, Duration poll) {
}
