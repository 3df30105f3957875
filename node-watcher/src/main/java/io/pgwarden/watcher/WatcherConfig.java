package io.pgwarden.watcher;

import io.pgwarden.watcher.health.PowerPoll;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

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

    /**
     * How long a node Lease may go unrenewed (as node-watcher sees it) before the node is stale. Unset: 1.5 renew
     * intervals of each lease, the kubelet renewing every 0.25 × {@code leaseDurationSeconds} (15 s for the default
     * 40 s lease). See {@link io.pgwarden.watcher.health.LivenessJudge}.
     */
    Optional<Duration> leaseStaleAfter();

    /** How often every node is judged again (lease age, view of the API server): no API call, one step per node. */
    @WithDefault("1s")
    Duration livenessCheckInterval();

    /**
     * Whose BMC is read (only nodes with {@code pgwarden.io/bmc-address}): {@code stale-nodes}, a node that is not
     * ALIVE, the BMC being the second signal once its lease is stale; or {@code every-node}, every node all the time,
     * so that a BMC reporting PowerState Off makes its node UNREACHABLE without waiting for the lease threshold. Not
     * the default: one Redfish GET per node per {@code power-poll-interval}, from node-watcher to every BMC (see
     * {@link io.pgwarden.watcher.health.LivenessJudge} and docs/failover.md).
     */
    @WithDefault("stale-nodes")
    PowerPoll powerPoll();

    /** How often each BMC that {@code power-poll} names is read, one read per node at a time. */
    @WithDefault("5s")
    Duration powerPollInterval();

    /** How often node-watcher asks the API server whether it answers ({@code GET /version}). */
    @WithDefault("2s")
    Duration apiCheckInterval();

    /** How long that question may wait for an answer before node-watcher counts itself cut off. */
    @WithDefault("2s")
    Duration apiCheckTimeout();

    /**
     * Whether the database port of each managed pod bound to a stale node is probed (a TCP connect) as a second signal:
     * every managed pod's refused or timed out makes the node UNREACHABLE. Only nodes that are not ALIVE are probed,
     * so it costs nothing while the nodes are healthy (see {@link io.pgwarden.watcher.health.LivenessJudge}).
     */
    @WithDefault("true")
    boolean databasePortProbe();

    /** How long a probe's connect may take before the port counts as not answering (real time, as any TCP timeout). */
    @WithDefault("1s")
    Duration databasePortTimeout();

    /**
     * How node-watcher reaches a pod's database port: {@code pod-ip} ({@code status.podIP} and the container port,
     * in a cluster) or {@code sandbox} (where the sandbox at {@code sandbox-url} says the pod answers locally).
     */
    @WithDefault("pod-ip")
    PodAddresses.Kind databaseAddress();

    /** The sandbox's fault API (its {@code SANDBOX_URL}), for {@code database-address=sandbox}. */
    Optional<String> sandboxUrl();

    /** Reading the BMCs. */
    Redfish redfish();

    interface Redfish {
        /** {@code namespace/name} of a Secret with {@code username} and {@code password}; unset: no credentials. */
        Optional<String> credentialsSecret();

        /** How long a BMC may take to answer; past it the power state is unknown. */
        @WithDefault("2s")
        Duration timeout();
    }
}
