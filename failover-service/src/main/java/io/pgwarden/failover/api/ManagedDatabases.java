package io.pgwarden.failover.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.pgwarden.contracts.Names;
import io.pgwarden.operations.engine.KubernetesDatabaseLocks;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The managed StatefulSets, their pods and their locks' Leases as informers keep them, so a read of the clusters
 * costs no API call. A view is as fresh as its watches: while all are open it has every change the API server
 * made (a watch delivers each as it happens), so it is current now; once one drops, it is current as of the last
 * moment all were open, checked every second.
 */
@ApplicationScoped
public class ManagedDatabases {
    private static final Logger LOG = Logger.getLogger(ManagedDatabases.class);

    /** One managed database as the informers have it: its pod of ordinal 0 and its lock's Lease may be missing. */
    public record Seen(StatefulSet statefulSet, Pod pod, Lease lease) {
        public String key() {
            return statefulSet.getMetadata().getNamespace() + "/" + statefulSet.getMetadata().getName();
        }
    }

    /** What the informers hold, and since when that is known to be current. */
    public record Snapshot(List<Seen> databases, Instant observedAt) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private SharedIndexInformer<StatefulSet> statefulSets;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Lease> leases;
    private volatile Instant current;

    public ManagedDatabases(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    void start(@Observes StartupEvent ignored) {
        statefulSets = client.apps().statefulSets().inAnyNamespace().withLabel(Names.MANAGED_LABEL, "true")
                .runnableInformer(0);
        pods = client.pods().inAnyNamespace().withLabel(Names.MANAGED_LABEL, "true").runnableInformer(0);
        // The locks live in the databases' namespaces and carry no label; the node leases, renewed every 10 s by
        // every kubelet, are the bulk of all Leases and never a lock, so they are left to the API server to filter.
        leases = client.leases().inAnyNamespace().withoutField("metadata.namespace", Names.NODE_LEASE_NAMESPACE)
                .runnableInformer(0);
        informers().forEach(SharedIndexInformer::start);
        LOG.infof("watching StatefulSets and pods labelled %s=true, and the Leases %s<statefulset>",
                Names.MANAGED_LABEL, KubernetesDatabaseLocks.PREFIX);
    }

    void stop(@Observes ShutdownEvent ignored) {
        informers().forEach(SharedIndexInformer::stop);
    }

    /** Notes whether the watches are open; between reads too, so a dropped watch dates the view within a second. */
    @Scheduled(every = "1s")
    void checkWatches() {
        if (!informers().isEmpty() && informers().stream().allMatch(i -> i.hasSynced() && i.isWatching())) {
            current = clock.instant();
        }
    }

    /** Empty until every informer has listed once: before that, no database is known not to exist. */
    public Optional<Snapshot> snapshot() {
        checkWatches();
        Instant observedAt = current;
        if (observedAt == null) {
            return Optional.empty();
        }
        List<Seen> seen = statefulSets.getStore().list().stream()
                .sorted(Comparator.comparing((StatefulSet s) -> s.getMetadata().getNamespace())
                        .thenComparing(s -> s.getMetadata().getName()))
                .map(this::seen).toList();
        return Optional.of(new Snapshot(seen, observedAt));
    }

    private Seen seen(StatefulSet s) {
        String namespace = s.getMetadata().getNamespace();
        String name = s.getMetadata().getName();
        return new Seen(s, pods.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name + "-0")),
                leases.getStore().getByKey(Cache.namespaceKeyFunc(namespace, KubernetesDatabaseLocks.PREFIX + name)));
    }

    private List<SharedIndexInformer<? extends HasMetadata>> informers() {
        return statefulSets == null ? List.of() : List.of(statefulSets, pods, leases);
    }
}
