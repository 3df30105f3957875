package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether a node's kubelet is heard from: from its node Lease, node-watcher's own view of the API server,
 * and a second signal (the BMC's power state, the Ready condition). Pure: everything it uses is passed in.
 *
 * <ul>
 *   <li><b>Stale</b>: node-watcher has not seen the lease renewed for longer than the threshold. Ages count on
 *       node-watcher's clock, from the moment it saw {@code renewTime} advance, as the node lifecycle controller
 *       counts from its own probe timestamp (kubernetes {@code pkg/controller/nodelifecycle/node_lifecycle_controller.go},
 *       tryUpdateNodeHealth), so a kubelet whose clock runs ahead cannot look fresh.</li>
 *   <li><b>Threshold</b>: {@code pgwarden.watcher.lease-stale-after}, or 1.5 renew intervals of the lease, the
 *       kubelet renewing every {@code leaseDurationSeconds} × 0.25 (kubernetes {@code pkg/kubelet/kubelet.go},
 *       nodeLeaseRenewIntervalFraction): 15 s for the default 40 s lease. One renewal may be late or lost, two
 *       in a row are not.</li>
 *   <li><b>Only while node-watcher sees the API server</b>: the age leaves out the time node-watcher was blind
 *       since the renewal, so after an outage of node-watcher or of the API server (when no kubelet could renew)
 *       every node is as old as it was when the outage began (a grace, not a mass failure), and a routine watch
 *       restart of a second costs that second only. While the view is bad no one becomes SUSPECT
 *       or UNREACHABLE, and no one stops being so either: a SUSPECT node stays SUSPECT, because being blind is no
 *       evidence that it came back, and calling it ALIVE would abort the incident it may be in only to open it
 *       again once node-watcher sees. A lease seen renewed within the threshold is evidence, blind or not.</li>
 *   <li><b>SUSPECT</b>: stale, and no second signal agrees. <b>UNREACHABLE</b>: stale, and the BMC reports
 *       PowerState Off or the node is not Ready. An unknown power state (no BMC, or it did not answer) agrees with
 *       nothing.</li>
 * </ul>
 */
public final class LivenessJudge {
    /** kubelet.go: {@code nodeLeaseRenewIntervalFraction = 0.25}. */
    static final double RENEW_INTERVAL_FRACTION = 0.25;
    static final double RENEW_INTERVALS_BEFORE_STALE = 1.5;
    /** The kubelet's {@code nodeLeaseDurationSeconds} default. */
    static final int DEFAULT_LEASE_DURATION_SECONDS = 40;

    /**
     * What is known of one node when it is judged.
     *
     * @param heardAt              when node-watcher saw the lease renewed (its own clock); while it has seen no
     *                             lease, when it first saw the node
     * @param leaseSeen            whether node-watcher has seen a lease of the node
     * @param leaseDurationSeconds the lease's {@code spec.leaseDurationSeconds}, if set
     * @param readiness            the node's Ready condition
     * @param powerState           the BMC's Redfish PowerState, or null when unknown
     */
    public record Signals(Instant heardAt, boolean leaseSeen, Integer leaseDurationSeconds, NodeReadiness readiness,
                          String powerState) {
    }

    /** The liveness and, in words without changing numbers, why. */
    public record Verdict(NodeLiveness liveness, String reason) {
    }

    private final Duration staleAfter;

    /** @param staleAfter the configured threshold; empty: derived from each lease's duration */
    public LivenessJudge(Optional<Duration> staleAfter) {
        this.staleAfter = staleAfter.orElse(null);
    }

    /** How long a lease may go without renewal before the node is stale. */
    public Duration staleAfter(Integer leaseDurationSeconds) {
        if (staleAfter != null) {
            return staleAfter;
        }
        int seconds = leaseDurationSeconds == null || leaseDurationSeconds <= 0
                ? DEFAULT_LEASE_DURATION_SECONDS : leaseDurationSeconds;
        return Duration.ofMillis(Math.round(seconds * 1000 * RENEW_INTERVAL_FRACTION * RENEW_INTERVALS_BEFORE_STALE));
    }

    public Verdict judge(Signals node, NodeLiveness previous, ApiView view, Instant now) {
        Duration threshold = staleAfter(node.leaseDurationSeconds());
        String limit = words(threshold);
        if (!now.isAfter(node.heardAt().plus(threshold))) {
            return new Verdict(NodeLiveness.ALIVE, node.leaseSeen() ? "lease renewed within " + limit
                    : "new to node-watcher, no node lease seen yet");
        }
        if (!view.sees()) {
            return new Verdict(previous, "node-watcher does not see the API server (" + view.whyNot()
                    + "): lease staleness is not counted, liveness stays as it was");
        }
        Instant counted = now.minus(view.blindBetween(node.heardAt(), now));
        if (!counted.isAfter(node.heardAt().plus(threshold))) {
            return new Verdict(NodeLiveness.ALIVE, "lease not seen renewed for " + limit
                    + ", not counting the time node-watcher did not see the API server");
        }
        String stale = node.leaseSeen() ? "lease not renewed for more than " + limit
                : "no node lease seen for more than " + limit;
        if ("Off".equals(node.powerState())) {
            return new Verdict(NodeLiveness.UNREACHABLE, stale + "; BMC reports PowerState Off");
        }
        if (node.readiness() != NodeReadiness.READY) {
            return new Verdict(NodeLiveness.UNREACHABLE, stale + "; Ready is "
                    + (node.readiness() == NodeReadiness.NOT_READY ? "False" : "Unknown"));
        }
        return new Verdict(NodeLiveness.SUSPECT, node.powerState() == null ? stale + "; power state unknown"
                : stale + "; BMC reports PowerState " + node.powerState());
    }

    /** "15 s", "0.6 s". */
    static String words(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }
}
