package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides whether a node's kubelet is heard from: from its node Lease, node-watcher's own view of the API server,
 * and a second signal (the BMC's power state, the Ready condition, the database ports of the node's managed pods).
 * Pure: everything it uses is passed in.
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
 *   <li><b>Every-node power polling</b> ({@code pgwarden.watcher.power-poll=every-node}, node-watcher reading every
 *       node's BMC each power-poll interval): a node is UNREACHABLE as soon as a <i>fresh</i> answer (received within
 *       two poll intervals) says PowerState Off, taken after the last renewal node-watcher saw, even while its lease
 *       is within the threshold; an older answer counts for nothing, and a renewal seen after the answer outweighs
 *       it. It stays UNREACHABLE until that renewal, or until the BMC says On (a BMC that stops answering after Off
 *       brings nothing back: the node's lease then goes stale and the rules above take over). While node-watcher
 *       does not see the API server no verdict changes this way either: it could not see the renewal that would
 *       contradict the BMC. Why a BMC's word alone is safe: failover-service releases nothing until its fence driver
 *       confirms the fence (Redfish ForceOff then PowerState Off polled; NetworkFence Succeeded), so a BMC that
 *       wrongly reports Off costs a needless failover, never two writers; the fence does not trust this reading, it
 *       makes its own. The cost is one Redfish GET per node per interval, from node-watcher to every BMC, all the
 *       time, and a BMC's wrong Off alone can start an incident: why it is not the default (OpenStack Ironic reads
 *       every node's power too, every 60 s by default: openstack/ironic {@code ironic/conf/conductor.py},
 *       sync_power_state_interval, and {@code doc/source/admin/power-sync.rst}).</li>
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
     * @param powerReadAt          when the BMC's last answer (or failure to answer) came, on node-watcher's clock;
     *                             null before the first
     * @param databasePorts        the database port of each managed pod bound to the node, as last probed while it is
     *                             stale; empty for a node with none, or while it is ALIVE
     */
    public record Signals(Instant heardAt, boolean leaseSeen, Integer leaseDurationSeconds, NodeReadiness readiness,
                          String powerState, Instant powerReadAt, List<DatabasePort> databasePorts) {
        public Signals {
            databasePorts = List.copyOf(databasePorts);
        }

        /** Without managed pods. */
        public Signals(Instant heardAt, boolean leaseSeen, Integer leaseDurationSeconds, NodeReadiness readiness,
                       String powerState, Instant powerReadAt) {
            this(heardAt, leaseSeen, leaseDurationSeconds, readiness, powerState, powerReadAt, List.of());
        }
    }

    /** The liveness and, in words without changing numbers, why. */
    public record Verdict(NodeLiveness liveness, String reason) {
    }

    /** In every-node mode, how many poll intervals a BMC's answer counts as news. */
    static final int FRESH_POLL_INTERVALS = 2;

    private final Duration staleAfter;
    private final PowerPoll powerPoll;
    private final Duration powerFreshFor;

    /**
     * @param staleAfter        the configured threshold; empty: derived from each lease's duration
     * @param powerPoll         whose BMC node-watcher reads
     * @param powerPollInterval how often it reads one
     */
    public LivenessJudge(Optional<Duration> staleAfter, PowerPoll powerPoll, Duration powerPollInterval) {
        this.staleAfter = staleAfter.orElse(null);
        this.powerPoll = powerPoll;
        this.powerFreshFor = powerPollInterval.multipliedBy(FRESH_POLL_INTERVALS);
    }

    public PowerPoll powerPoll() {
        return powerPoll;
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
            Optional<Verdict> off = offWhileLeaseFresh(node, previous, now, limit);
            if (off.isEmpty()) {
                return new Verdict(NodeLiveness.ALIVE, node.leaseSeen() ? "lease renewed within " + limit
                        : "new to node-watcher, no node lease seen yet");
            }
            if (!view.sees()) {
                return new Verdict(previous, "node-watcher does not see the API server (" + view.whyNot()
                        + "): liveness stays as it was, whatever the BMC reports");
            }
            return off.get();
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
        String ports = ports(node.databasePorts());
        if ("Off".equals(node.powerState())) {
            return new Verdict(NodeLiveness.UNREACHABLE, stale + "; BMC reports PowerState Off" + ports);
        }
        if (node.readiness() != NodeReadiness.READY) {
            return new Verdict(NodeLiveness.UNREACHABLE, stale + "; Ready is "
                    + (node.readiness() == NodeReadiness.NOT_READY ? "False" : "Unknown") + ports);
        }
        String power = node.powerState() == null ? "; power state unknown"
                : "; BMC reports PowerState " + node.powerState();
        return new Verdict(silent(node.databasePorts()) ? NodeLiveness.UNREACHABLE : NodeLiveness.SUSPECT,
                stale + power + ports);
    }

    /** Every managed pod of the node was probed and none answered. */
    static boolean silent(List<DatabasePort> ports) {
        return !ports.isEmpty() && ports.stream().allMatch(DatabasePort::silent);
    }

    /**
     * What the ports said, after "; ": those that answered, if any did; every one, if none did; nothing while some
     * are not answered yet (or when the node has no managed pod).
     */
    static String ports(List<DatabasePort> ports) {
        List<DatabasePort> answering = ports.stream().filter(DatabasePort::answers).toList();
        List<DatabasePort> said = !answering.isEmpty() ? answering : silent(ports) ? ports : List.of();
        return said.isEmpty() ? "" : said.stream().sorted(Comparator.comparing(DatabasePort::pod))
                .map(DatabasePort::words).collect(Collectors.joining("; ", "; ", ""));
    }

    /**
     * Every-node mode, the lease within the threshold: UNREACHABLE when the BMC answered Off since the last renewal
     * seen, freshly, or when the node is UNREACHABLE already and the BMC has not said On since; empty otherwise.
     */
    private Optional<Verdict> offWhileLeaseFresh(Signals node, NodeLiveness previous, Instant now, String limit) {
        if (powerPoll != PowerPoll.EVERY_NODE || node.powerReadAt() == null
                || !node.powerReadAt().isAfter(node.heardAt())) {
            return Optional.empty();
        }
        String lease = node.leaseSeen() ? "lease renewed within " + limit : "no node lease seen yet";
        boolean off = "Off".equals(node.powerState());
        if (off && (previous == NodeLiveness.UNREACHABLE || !now.isAfter(node.powerReadAt().plus(powerFreshFor)))) {
            return Optional.of(new Verdict(NodeLiveness.UNREACHABLE,
                    "BMC reports PowerState Off (every-node power polling); " + lease));
        }
        if (previous == NodeLiveness.UNREACHABLE && !"On".equals(node.powerState())) {
            return Optional.of(new Verdict(NodeLiveness.UNREACHABLE, "BMC reported PowerState Off (every-node power "
                    + "polling), " + (node.powerState() == null ? "power unknown" : "PowerState " + node.powerState())
                    + " since; " + lease));
        }
        return Optional.empty();
    }

    /** "15 s", "0.6 s". */
    static String words(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }
}
