package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.PodHealthChanged;
import io.pgwarden.service.EventPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.function.Consumer;

/**
 * Watches Nodes and the pods of managed StatefulSets with informers, and publishes each health change
 * (not every resync) plus a periodic snapshot of everything, so a consumer that starts late catches up.
 */
@ApplicationScoped
public class HealthWatcher {
    private static final Logger LOG = Logger.getLogger(HealthWatcher.class);

    @Inject
    KubernetesClient client;

    @Inject
    EventPublisher publisher;

    @Inject
    WatcherConfig config;

    private final ChangeFilter<NodeHealthChanged> nodes = new ChangeFilter<>();
    private final ChangeFilter<PodHealthChanged> pods = new ChangeFilter<>();
    private List<SharedIndexInformer<? extends HasMetadata>> informers = List.of();

    void start(@Observes StartupEvent ignored) {
        long resync = config.resyncInterval().toMillis();
        SharedIndexInformer<Node> nodeInformer = client.nodes().runnableInformer(resync);
        nodeInformer.addEventHandler(handler(node -> publishNode(HealthReading.of(node))));
        SharedIndexInformer<Pod> podInformer = client.pods().inAnyNamespace()
                .withLabel(Names.MANAGED_LABEL, "true").runnableInformer(resync);
        podInformer.addEventHandler(handler(pod -> publishPod(HealthReading.of(pod))));
        informers = List.of(nodeInformer, podInformer);
        informers.forEach(SharedIndexInformer::start);
        LOG.infof("watching nodes and pods labelled %s=true", Names.MANAGED_LABEL);
    }

    void stop(@Observes ShutdownEvent ignored) {
        informers.forEach(SharedIndexInformer::stop);
    }

    /** True once every informer has listed and is watching. */
    public boolean isWatching() {
        return !informers.isEmpty() && informers.stream().allMatch(i -> i.hasSynced() && i.isWatching());
    }

    @Scheduled(every = "${pgwarden.watcher.snapshot-interval}", delayed = "${pgwarden.watcher.snapshot-interval}")
    void publishSnapshot() {
        nodes.lastPublished().forEach(n -> send(n, n.node(), nodes));
        pods.lastPublished().forEach(p -> send(p, podKey(p), pods));
    }

    private void publishNode(NodeHealthChanged health) {
        if (nodes.isChange(health.node(), health)) {
            LOG.infof("node %s: %s%s", health.node(), health.readiness(), health.unschedulable() ? ", cordoned" : "");
            send(health, health.node(), nodes);
        }
    }

    private void publishPod(PodHealthChanged health) {
        String key = podKey(health);
        if (pods.isChange(key, health)) {
            LOG.infof("pod %s: %s ready=%s on %s", key, health.phase(), health.ready(), health.node());
            send(health, key, pods);
        }
    }

    private <T> void send(T health, String key, ChangeFilter<T> filter) {
        try {
            publisher.publish(health, key, key, null);
            filter.published(key, health);
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not publish the health of %s; will retry on the next change or resync", key);
            filter.forget(key);
        }
    }

    private static String podKey(PodHealthChanged p) {
        return p.namespace() + "/" + p.pod();
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> onChange) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                LOG.infof("deleted: %s", obj instanceof HasMetadata m ? m.getMetadata().getName() : obj);
            }
        };
    }
}
