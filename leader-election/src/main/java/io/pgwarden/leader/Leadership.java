package io.pgwarden.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Optional;

/**
 * Whether this replica leads its service: among the replicas of a service, the one holding the service's
 * {@code coordination.k8s.io/v1} Lease acts; the others watch and stand by.
 *
 * <p>Each change is fired as a {@link LeadershipChanged} CDI event (in order, on the leader-election thread).
 * Leading stops as soon as the Lease has not been renewed for {@code renew-deadline} (an API server outage, a
 * network cut), before a standby can take over ({@code lease-duration}); on shutdown the Lease is released so a
 * standby takes over at its next try. With {@code pgwarden.leader-election.enabled=false} this replica always
 * leads. Exposes the gauge {@code pgwarden_leader} (1 leading, 0 standby).
 */
@ApplicationScoped
public class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private final LeaderElectionConfig config;
    private final Event<LeadershipChanged> changes;
    private final String identity;
    /** Null when election is disabled. */
    private final LeaseElection election;

    Leadership(KubernetesClient client, LeaderElectionConfig config, Event<LeadershipChanged> changes, Clock clock,
               MeterRegistry registry) {
        this.config = config;
        this.changes = changes;
        this.identity = Identity.generate();
        this.election = config.enabled()
                ? new LeaseElection(client, new LeaseElection.Settings(config.namespace(), config.leaseName(),
                identity, config.leaseDuration(), config.renewDeadline(), config.retryPeriod()), clock, changes::fire)
                : null;
        Gauge.builder("pgwarden.leader", this, l -> l.isLeader() ? 1 : 0)
                .description("1 while this replica leads its service (holds its Lease), 0 on a standby")
                .tag("lease", config.leaseName())
                .register(registry);
    }

    void start(@Observes StartupEvent ignored) {
        if (election == null) {
            LOG.infof("leader election disabled: %s always leads", identity);
            changes.fire(new LeadershipChanged(true, identity));
        } else {
            LOG.infof("competing for Lease %s/%s as %s", config.namespace(), config.leaseName(), identity);
            election.start();
        }
    }

    /** Releases the Lease as early in the shutdown as possible, so a standby takes over at once. */
    void stop(@Observes ShutdownEvent ignored) {
        close();
    }

    @PreDestroy
    void close() {
        if (election != null) {
            election.close();
        }
    }

    /** Whether this replica leads now: it holds the Lease and renewed it within the renew deadline. */
    public boolean isLeader() {
        return election == null || election.isLeader();
    }

    /** This replica's holder identity (host name and a random suffix). */
    public String identity() {
        return identity;
    }

    /** The holder this replica last saw in the Lease; itself when election is disabled. */
    Optional<String> holder() {
        return election == null ? Optional.of(identity) : election.holder();
    }

    /** {@code namespace/name} of the Lease, or "none" when election is disabled. */
    String lease() {
        return election == null ? "none" : config.namespace() + "/" + config.leaseName();
    }
}
