package io.pgwarden.leader;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Leader election among a service's replicas. The three durations are client-go's defaults
 * ({@code leaseDuration} 15 s, {@code renewDeadline} 10 s, {@code retryPeriod} 2 s, as kube-controller-manager
 * and kube-scheduler use them); Fabric8 requires {@code lease-duration > renew-deadline >
 * 2.2 × retry-period}.
 */
@ConfigMapping(prefix = "pgwarden.leader-election")
public interface LeaderElectionConfig {

    /**
     * Whether replicas elect a leader through a Lease. When false this replica always leads and never calls the
     * Kubernetes API for it: for a single-replica run only.
     */
    @WithDefault("true")
    boolean enabled();

    /** Name of the {@code coordination.k8s.io/v1} Lease the replicas of this service compete for. */
    @WithDefault("${pgwarden.service}")
    String leaseName();

    /**
     * Namespace of the Lease (env {@code PGWARDEN_LEADER_ELECTION_NAMESPACE}). In a cluster, set it from the
     * downward API ({@code fieldRef: metadata.namespace}) so the Lease lives next to the pods that hold it.
     */
    @WithDefault("default")
    String namespace();

    /**
     * How long a standby waits after the leader's last renewal before it takes the Lease over: the takeover time
     * after a leader dies without releasing it.
     */
    @WithDefault("15s")
    Duration leaseDuration();

    /**
     * The leader stops leading when it has not renewed the Lease for this long (for example while it cannot reach
     * the API server), before any standby may take over ({@code lease-duration}): a cut-off replica stops acting.
     */
    @WithDefault("10s")
    Duration renewDeadline();

    /** How often the leader renews and a standby tries to acquire (a standby adds up to 120 % jitter). */
    @WithDefault("2s")
    Duration retryPeriod();
}
