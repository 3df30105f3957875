package io.pgwarden.gateway;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotFoundException;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The managed databases as the gateway serves them: failover-service's list (it watches Kubernetes; its catalog holds
 * the locks and incidents), fetched every {@code pgwarden.gateway.reads.refresh} and kept. A read is answered from
 * that copy, so it costs no round trip and failover-service sees a fixed trickle of requests however many people and
 * scripts look. {@code observedAt} stays failover-service's, as of the fetch, so an answer never looks fresher than it
 * is. Once no fetch has succeeded for {@code pgwarden.gateway.reads.stale-after}, reads fail as failover-service's
 * silence did (503, or 502 for its errors) instead of passing an old picture off as the current one.
 */
@ApplicationScoped
public class ClusterReadModel {

    /** One fetch, indexed by namespace/name. */
    private record Clusters(ClustersAnswer answer, Map<String, ClusterView> byKey) {
        static Clusters of(ClustersAnswer answer) {
            return new Clusters(answer, answer.clusters().stream().collect(Collectors.toUnmodifiableMap(
                    c -> c.namespace() + "/" + c.name(), Function.identity(), (a, b) -> a)));
        }
    }

    private final RefreshedCopy<Clusters> copy;

    @Inject
    public ClusterReadModel(FailoverReads reads, GatewayConfig config, Clock clock) {
        this(reads::clusters, config.reads().staleAfter(), clock);
    }

    ClusterReadModel(Supplier<ClustersAnswer> fetch, Duration staleAfter, Clock clock) {
        this.copy = new RefreshedCopy<>("list of the managed databases", "failover-service",
                () -> Clusters.of(fetch.get()), staleAfter, clock);
    }

    @Scheduled(every = "${pgwarden.gateway.reads.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        copy.refresh();
    }

    public ClustersAnswer clusters() {
        return copy.current().answer();
    }

    public ClusterView cluster(String namespace, String name) {
        ClusterView view = copy.current().byKey().get(namespace + "/" + name);
        if (view == null) {
            throw new NotFoundException("no managed database " + namespace + "/" + name);
        }
        return view;
    }
}
