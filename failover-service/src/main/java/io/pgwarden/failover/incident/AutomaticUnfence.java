package io.pgwarden.failover.incident;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * With {@code pgwarden.failover.unfence.automatic}, asks for the unfence of each node whose incident recovered; the
 * unfence itself waits on the node's queue until the node is healthy and no old pod is left.
 */
@ApplicationScoped
public class AutomaticUnfence {
    private static final Logger LOG = Logger.getLogger(AutomaticUnfence.class);

    private final Incidents incidents;
    private final UnfenceConfig config;

    AutomaticUnfence(Incidents incidents, UnfenceConfig config) {
        this.incidents = incidents;
        this.config = config;
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void askForUnfences() {
        if (!config.automatic()) {
            return;
        }
        try {
            for (String[] incident : incidents.recoveredWithoutUnfence()) {
                incidents.requestUnfence(incident[0], incident[1]);
            }
        } catch (Exception e) {
            LOG.debugf("automatic unfence looks again later: %s", e.getMessage());
        }
    }
}
