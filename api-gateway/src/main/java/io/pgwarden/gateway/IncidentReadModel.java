package io.pgwarden.gateway;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Node incidents as the gateway serves them, like {@link ClusterReadModel}: a copy of failover-service's newest
 * {@value #PAGE} incidents and of its open ones, fetched every {@code pgwarden.gateway.reads.refresh}. A page the copy
 * holds whole (with the one incident after it that tells whether there is a next page) is answered from it; a page
 * reaching further back in history is forwarded, as is an id the copy does not hold.
 */
@ApplicationScoped
public class IncidentReadModel {
    /** failover-service's newest incidents, and the largest page. */
    static final int PAGE = 500;

    /** What failover-service answers (FailoverReads; a fake in unit tests). */
    interface Source {
        /** Newest first; null parameters mean any; before, an incident id: only older ones. */
        List<IncidentView> incidents(String node, String state, int limit, String before);

        IncidentView incident(String id);
    }

    /** One fetch: the newest incidents of every state, newest first, the open ones, and when they were read. */
    private record Incidents(List<IncidentView> newest, List<IncidentView> open, Instant at) {
    }

    private final Source source;
    private final Clock clock;
    private final RefreshedCopy<Incidents> copy;

    @Inject
    public IncidentReadModel(FailoverReads reads, GatewayConfig config, Clock clock) {
        this(reads, config.reads().staleAfter(), clock);
    }

    IncidentReadModel(Source source, Duration staleAfter, Clock clock) {
        this.source = source;
        this.clock = clock;
        this.copy = new RefreshedCopy<>("list of the incidents", "failover-service", () -> new Incidents(
                source.incidents(null, null, PAGE, null), source.incidents(null, "open", PAGE, null),
                clock.instant()), staleAfter, clock);
    }

    @Scheduled(every = "${pgwarden.gateway.reads.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        copy.refresh();
    }

    /** Newest first: at most limit, null parameters meaning any, after the incident named by cursor when given. */
    public IncidentPage page(String node, String state, int limit, String cursor) {
        Incidents incidents = copy.current();
        List<IncidentView> from = "open".equals(state) && incidents.open().size() < PAGE ? incidents.open()
                : incidents.newest();
        int start = cursor == null ? 0 : indexOf(from, cursor) + 1;
        if (cursor == null || start > 0) {
            List<IncidentView> matching = from.subList(start, from.size()).stream()
                    .filter(i -> node == null || node.equals(i.node()))
                    .filter(i -> state == null || state.equals(i.state())).limit(limit + 1L).toList();
            if (from.size() < PAGE || matching.size() > limit) {
                return page(matching, limit, incidents.at());
            }
        }
        return page(source.incidents(node, state, limit + 1, cursor), limit, clock.instant());
    }

    /** From the copy when it holds the id, else (older, or the copy stale) asked of failover-service. */
    public IncidentView incident(String id) {
        Optional<IncidentView> held = copy.ifFresh().flatMap(incidents -> Stream.concat(incidents.open().stream(),
                incidents.newest().stream()).filter(i -> i.id().equals(id)).findFirst());
        return held.orElseGet(() -> source.incident(id));
    }

    /** @param incidents up to limit + 1: the one past the page says there is a next page */
    private static IncidentPage page(List<IncidentView> incidents, int limit, Instant observedAt) {
        List<IncidentView> items = List.copyOf(incidents.subList(0, Math.min(limit, incidents.size())));
        return new IncidentPage(items, incidents.size() > limit ? items.get(items.size() - 1).id() : null,
                observedAt);
    }

    private static int indexOf(List<IncidentView> incidents, String id) {
        for (int i = 0; i < incidents.size(); i++) {
            if (incidents.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
