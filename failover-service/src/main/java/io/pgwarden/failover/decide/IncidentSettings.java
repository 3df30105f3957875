package io.pgwarden.failover.decide;

import java.time.Duration;

/**
 * The incident's limits.
 *
 * @param confirmAfter      how long a node stays suspect before the incident is confirmed without the BMC's word
 * @param fenceTimeout      how long one fence request may stay unconfirmed before it is asked again
 * @param fenceAttempts     fence requests before the incident fails
 * @param releaseTimeout    from release to every volume detached from the node
 * @param recoveryTimeout   from release to every database accepting writes elsewhere
 * @param stormMaxShare     the storm guard: fence nothing while more than this share of known nodes is unhealthy
 * @param stormMaxNodes     ... or more than this many (0: no absolute limit)
 * @param stormSettle       for this long after the suspicion the storm guard also counts the nodes not heard from
 *                          since this one died: leases renew at different moments, so nodes that die together go
 *                          stale up to one renewal apart
 * @param fenceRateMax      at most this many fences started ...
 * @param fenceRateWindow   ... within this window
 * @param watcherStaleAfter node-watcher unheard for longer than this: its view is stale, nothing is fenced
 * @param poll              how often to look again while waiting on a fence, a detach or a pod
 * @param outOfServiceTaint release with the out-of-service taint (Kubernetes 1.28+); else by deleting the fenced
 *                          node's VolumeAttachments
 */
public record IncidentSettings(Duration confirmAfter, Duration fenceTimeout, int fenceAttempts,
                               Duration releaseTimeout, Duration recoveryTimeout, double stormMaxShare,
                               int stormMaxNodes, Duration stormSettle, int fenceRateMax, Duration fenceRateWindow,
                               Duration watcherStaleAfter, Duration poll, boolean outOfServiceTaint) {
}
