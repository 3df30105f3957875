package io.pgwarden.gateway;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Node incidents as the gateway serves them, like {@link ClusterReadModel}: a copy of failover-service's newest
 * {@value #PAGE} incidents and of its open ones, fetched every {@code pgwarden.gateway.reads.refresh}. A query the copy
 * answers completely (every incident it matches newer than the copy's oldest, or a copy that holds them all) is
 * answered from it; one reaching further back in history is forwarded, as is an id the copy does not hold.
 */
@ApplicationScoped
public class IncidentReadModel {
    /** failover-service's largest page. */
    static final int PAGE = 500;
    /** failover-service's default page. */
    private static final int DEFAULT_LIMIT = 50;

    /** What failover-service answers (FailoverReads; a fake in unit tests). */
    interface Source {
        List<IncidentView> incidents(String node, String state, String limit);

        IncidentView incident(String id);
    }

    /** One fetch: the newest incidents of every state, newest first, and the open ones. */
    private record Incidents(List<IncidentView> newest, List<IncidentView> open) {
    }

    private final Source source;
    private final RefreshedCopy<Incidents> copy;

    @Inject
    public IncidentReadModel(FailoverReads reads, GatewayConfig config, Clock clock) {
        this(reads, config.reads().staleAfter(), clock);
    }

    IncidentReadModel(Source source, Duration staleAfter, Clock clock) {
        this.source = source;
        String page = String.valueOf(PAGE);
        this.copy = new RefreshedCopy<>("list of the incidents", "failover-service", () -> new Incidents(
                source.incidents(null, null, page), source.incidents(null, "open", page)), staleAfter, clock);
    }

    @Scheduled(every = "${pgwarden.gateway.reads.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        copy.refresh();
    }

    /** Newest first; null parameters mean any; limit as the query gives it (null: 50). */
    public List<IncidentView> incidents(String node, String state, String limit) {
        int max = limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit);
        Incidents incidents = copy.current();
        List<IncidentView> from = "open".equals(state) && incidents.open().size() < PAGE ? incidents.open()
                : incidents.newest();
        List<IncidentView> matching = from.stream().filter(i -> node == null || node.equals(i.node()))
                .filter(i -> state == null || state.equals(i.state())).limit(max).toList();
        if (from.size() < PAGE || matching.size() == max) {
            return matching;
        }
        return source.incidents(node, state, limit);
    }

    /** From the copy when it holds the id, else (older, or the copy stale) asked of failover-service. */
    public IncidentView incident(String id) {
        Optional<IncidentView> held = copy.ifFresh().flatMap(incidents -> Stream.concat(incidents.open().stream(),
                incidents.newest().stream()).filter(i -> i.id().equals(id)).findFirst());
        return held.orElseGet(() -> source.incident(id));
    }
}
