package io.pgwarden.backup.decide;

import java.time.Duration;

/**
 * A drill's limits, one per step, and the recovery-time objective of a database without its own.
 *
 * @param claimTimeout   from the scratch claims' creation to all of them bound
 * @param jobTimeout     from the helper Job's creation to its end
 * @param readyTimeout   from the throw-away pod's creation to it Ready
 * @param queryTimeout   from the pod Ready to the database answering out of recovery (and the SQL check)
 * @param cleanupTimeout from the result to everything the drill made gone
 * @param defaultRto     the objective of a database without {@code pgwarden.io/recovery-time-objective}
 * @param poll           how often to look again while waiting
 */
public record DrillSettings(Duration claimTimeout, Duration jobTimeout, Duration readyTimeout, Duration queryTimeout,
                            Duration cleanupTimeout, Duration defaultRto, Duration poll) {
}
