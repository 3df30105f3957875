package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.PodHealthChanged;
import io.pgwarden.leader.Leadership;
import io.pgwarden.leader.LeadershipChanged;
import io.pgwarden.service.EventPublisher;
import io.pgwarden.watcher.health.Backoff;
import io.pgwarden.watcher.health.HealthPublisher;
import io.pgwarden.watcher.health.Reading;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Watches Nodes and the pods of managed StatefulSets with informers (on every replica, so a standby is warm),
 * and, while this replica leads, publishes each health change, each deletion, a full snapshot when it starts
 * leading and a periodic one, so a consumer that starts late catches up. The decisions are
 * in {@link io.pgwarden.watcher.health} (plain Java); this class connects them to Fabric8 and Kafka.
 */
@ApplicationScoped
public class HealthWatcher {
    private static final Logger LOG = Logger.getLogger(HealthWatcher.class);

    private final KubernetesClient client;
    private final WatcherConfig config;
    private final ScheduledExecutorService publishing;
    private final HealthPublisher<NodeHealthChanged> nodes;
    private final HealthPublisher<PodHealthChanged> pods;
    private List<SharedIndexInformer<? extends HasMetadata>> informers = List.of();

    HealthWatcher(KubernetesClient client, EventPublisher publisher, WatcherConfig config, Leadership leadership,
                  Clock clock, MeterRegistry registry) {
        this.client = client;
        this.config = config;
        this.publishing = Executors.newScheduledThreadPool(config.publishThreads(), threads("health-publisher"));
        HealthPublisher.Runner runner = new HealthPublisher.Runner() {
            @Override
            public void run(Runnable task) {
                runAfter(Duration.ZERO, task);
            }

            @Override
            public void runAfter(Duration delay, Runnable task) {
                try {
                    publishing.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // shutting down
                }
            }
        };
        Backoff backoff = new Backoff(config.publishRetryInitial(), config.publishRetryMax());
        this.nodes = new HealthPublisher<>("node", (key, event) -> publisher.publish(event, key, key, null), runner,
                clock, leadership::isLeader, backoff, config.deletionMemory());
        this.pods = new HealthPublisher<>("pod", (key, event) -> publisher.publish(event, key, key, null), runner,
                clock, leadership::isLeader, backoff, config.deletionMemory());
        meter(registry, "node", nodes);
        meter(registry, "pod", pods);
    }

    void start(@Observes StartupEvent ignored) {
        long resync = config.resyncInterval().toMillis();
        SharedIndexInformer<Node> nodeInformer = client.nodes().runnableInformer(resync);
        nodeInformer.addEventHandler(handler(nodes, HealthReading::of));
        SharedIndexInformer<Pod> podInformer = client.pods().inAnyNamespace()
                .withLabel(Names.MANAGED_LABEL, "true").runnableInformer(resync);
        podInformer.addEventHandler(handler(pods, HealthReading::of));
        informers = List.of(nodeInformer, podInformer);
        informers.forEach(SharedIndexInformer::start);
        LOG.infof("watching nodes and pods labelled %s=true", Names.MANAGED_LABEL);
    }

    void stop(@Observes ShutdownEvent ignored) {
        informers.forEach(SharedIndexInformer::stop);
        publishing.shutdown();
        try {
            publishing.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A new leader publishes everything it knows; a former one stops (its publishers check before each send). */
    void onLeadership(@Observes LeadershipChanged change) {
        LOG.infof(change.leading() ? "leading: publishing a snapshot of every node and managed pod"
                : "standing by: informers keep watching, nothing is published");
        nodes.leadershipChanged(change.leading());
        pods.leadershipChanged(change.leading());
    }

    /** True once every informer has listed and is watching. */
    public boolean isWatching() {
        return !informers.isEmpty() && informers.stream().allMatch(i -> i.hasSynced() && i.isWatching());
    }

    @Scheduled(every = "${pgwarden.watcher.snapshot-interval}", delayed = "${pgwarden.watcher.snapshot-interval}")
    void publishSnapshot() {
        nodes.snapshot();
        pods.snapshot();
    }

    private static <T extends HasMetadata, E> ResourceEventHandler<T> handler(
            HealthPublisher<E> publisher, BiFunction<T, Boolean, Reading<E>> read) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                publisher.offer(read.apply(obj, false));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                publisher.offer(read.apply(newObj, false));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                publisher.offer(read.apply(obj, true));
            }
        };
    }

    private static void meter(MeterRegistry registry, String kind, HealthPublisher<?> health) {
        Gauge.builder("pgwarden.watcher.known", health, HealthPublisher::known)
                .description("Nodes or managed pods this replica knows (with deletions not yet forgotten)")
                .tag("kind", kind).register(registry);
        Gauge.builder("pgwarden.watcher.backlog", health, HealthPublisher::backlog)
                .description("Nodes or managed pods whose health is being published or waits for a retry")
                .tag("kind", kind).register(registry);
        FunctionCounter.builder("pgwarden.watcher.publish.failures", health, HealthPublisher::failures)
                .description("Health events whose publish failed, each retried until sent or superseded")
                .tag("kind", kind).register(registry);
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
