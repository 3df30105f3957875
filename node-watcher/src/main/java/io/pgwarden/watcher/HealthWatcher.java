package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.PodHealthChanged;
import io.pgwarden.leader.Leadership;
import io.pgwarden.leader.LeadershipChanged;
import io.pgwarden.service.EventPublisher;
import io.pgwarden.watcher.health.Backoff;
import io.pgwarden.watcher.health.DatabasePorts;
import io.pgwarden.watcher.health.HealthPublisher;
import io.pgwarden.watcher.health.LivenessJudge;
import io.pgwarden.watcher.health.LivenessTracker;
import io.pgwarden.watcher.health.PowerPoll;
import io.pgwarden.watcher.health.PowerPolls;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleFunction;

/**
 * Watches Nodes, their Leases in {@code kube-node-lease} and the pods of managed StatefulSets with informers (on every
 * replica, so a standby is warm), judges each node's liveness every {@code liveness-check-interval}, reads the BMC of
 * nodes that are not ALIVE (of every node with {@code power-poll=every-node}), probes the database ports of their
 * managed pods, and, while this replica leads,
 * publishes each health change, each deletion, a full snapshot when it starts leading and a periodic one, so a
 * consumer that starts late catches up. The decisions are in {@link io.pgwarden.watcher.health} (plain Java); this
 * class connects them to Fabric8, Redfish and Kafka.
 */
@ApplicationScoped
public class HealthWatcher {
    private static final Logger LOG = Logger.getLogger(HealthWatcher.class);

    private final KubernetesClient client;
    private final WatcherConfig config;
    private final ScheduledExecutorService publishing;
    private final HealthPublisher<NodeHealthChanged> nodes;
    private final HealthPublisher<PodHealthChanged> pods;
    private final LivenessTracker liveness;
    private final PowerPolls powerPolls;
    /** Empty with {@code database-port-probe=false}. */
    private final Optional<DatabasePorts> databasePorts;
    private final Optional<RedfishCredentials> credentials;
    private final ApiServerProbe apiServer;
    /** The liveness checks and API probes: one thread, no I/O on it (the probe's call runs on its own). */
    private final ScheduledExecutorService checking = Executors.newSingleThreadScheduledExecutor(threads("node-liveness"));
    private final ScheduledExecutorService probing = Executors.newSingleThreadScheduledExecutor(threads("api-probe"));
    /** The BMC rounds, which may read the credentials' Secret. */
    private final ScheduledExecutorService bmcs = Executors.newSingleThreadScheduledExecutor(threads("bmc-poller"));
    private List<SharedIndexInformer<? extends HasMetadata>> informers = List.of();
    private List<SharedIndexInformer<? extends HasMetadata>> livenessInformers = List.of();

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

        this.liveness = new LivenessTracker(new LivenessJudge(config.leaseStaleAfter(), config.powerPoll(),
                config.powerPollInterval()), clock, nodes::offer, this::turnedStale);
        this.credentials = config.redfish().credentialsSecret().map(secret -> new RedfishCredentials(client, secret,
                clock));
        this.powerPolls = new PowerPolls(liveness, new RedfishPower(config.redfish().timeout(),
                () -> credentials.flatMap(RedfishCredentials::get)));
        this.databasePorts = config.databasePortProbe() ? Optional.of(new DatabasePorts(liveness,
                new TcpDatabasePorts(podAddresses(config), config.databasePortTimeout()))) : Optional.empty();
        this.apiServer = new ApiServerProbe(client, config.apiCheckTimeout(), clock, probing);
        meter(registry, liveness);
        FunctionCounter.builder("pgwarden.watcher.bmc.reads", powerPolls, PowerPolls::answered)
                .description("Reads of a BMC's PowerState, by whether it answered with one").tag("result", "answered")
                .register(registry);
        FunctionCounter.builder("pgwarden.watcher.bmc.reads", powerPolls, PowerPolls::unanswered)
                .description("Reads of a BMC's PowerState, by whether it answered with one").tag("result", "unanswered")
                .register(registry);
        databasePorts.ifPresent(ports -> {
            meterProbes(registry, ports, "answered", DatabasePorts::answered);
            meterProbes(registry, ports, "silent", DatabasePorts::silent);
            meterProbes(registry, ports, "unknown", DatabasePorts::unknown);
        });
    }

    private static PodAddresses podAddresses(WatcherConfig config) {
        return switch (config.databaseAddress()) {
            case POD_IP -> new PodIpAddresses();
            case SANDBOX -> new SandboxPodAddresses(config.sandboxUrl().orElseThrow(() -> new IllegalStateException(
                    "pgwarden.watcher.database-address=sandbox needs pgwarden.watcher.sandbox-url")));
        };
    }

    private static void meterProbes(MeterRegistry registry, DatabasePorts ports, String result,
                                    ToDoubleFunction<DatabasePorts> count) {
        FunctionCounter.builder("pgwarden.watcher.database.port.probes", ports, count)
                .description("Probes of a stale node's managed pods' database ports: answered, silent (refused or "
                        + "timed out), unknown (no address)").tag("result", result).register(registry);
    }

    void start(@Observes StartupEvent ignored) {
        long resync = config.resyncInterval().toMillis();
        SharedIndexInformer<Node> nodeInformer = client.nodes().runnableInformer(resync);
        nodeInformer.addEventHandler(handler((node, deleted) -> liveness.nodeObserved(HealthReading.facts(node),
                deleted, node.getMetadata().getResourceVersion())));
        SharedIndexInformer<Lease> leaseInformer = client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE)
                .runnableInformer(resync);
        leaseInformer.addEventHandler(handler(this::leaseObserved));
        SharedIndexInformer<Pod> podInformer = client.pods().inAnyNamespace()
                .withLabel(Names.MANAGED_LABEL, "true").runnableInformer(resync);
        podInformer.addEventHandler(handler((pod, deleted) -> {
            pods.offer(HealthReading.of(pod, deleted));
            databasePorts.ifPresent(ports -> ports.podObserved(pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), HealthReading.databasePort(pod, deleted)));
        }));
        informers = List.of(nodeInformer, leaseInformer, podInformer);
        livenessInformers = List.of(nodeInformer, leaseInformer);
        informers.forEach(SharedIndexInformer::start);
        every(probing, config.apiCheckInterval(), apiServer::probe);
        every(checking, config.livenessCheckInterval(), this::checkLiveness);
        every(bmcs, config.powerPollInterval(), this::readPower);
        LOG.infof("watching nodes, their leases in %s and pods labelled %s=true; a lease is stale after %s; BMCs read "
                        + "every %s: %s; database ports of a stale node's managed pods %s", Names.NODE_LEASE_NAMESPACE,
                Names.MANAGED_LABEL, config.leaseStaleAfter()
                        .map(Duration::toString).orElse("1.5 renew intervals (15 s for a 40 s lease)"),
                config.powerPollInterval(), config.powerPoll() == PowerPoll.EVERY_NODE
                        ? "every node's (a PowerState Off is enough)" : "those of nodes not ALIVE",
                config.databasePortProbe() ? "probed at their " + (config.databaseAddress() == PodAddresses.Kind.SANDBOX
                        ? "sandbox address" : "pod IP") + ", " + config.databasePortTimeout() + " to connect"
                        : "not probed");
    }

    private void leaseObserved(Lease lease, boolean deleted) {
        String node = lease.getMetadata().getName();
        if (deleted) {
            liveness.leaseDeleted(node);
            return;
        }
        Instant renewed = lease.getSpec() == null || lease.getSpec().getRenewTime() == null ? null
                : lease.getSpec().getRenewTime().toInstant();
        liveness.leaseObserved(node, renewed, lease.getSpec() == null ? null
                : lease.getSpec().getLeaseDurationSeconds());
    }

    /** Judges every node again, with node-watcher's view of the API server as of now. */
    void checkLiveness() {
        boolean watching = livenessInformers.stream().allMatch(i -> i.hasSynced() && i.isWatching());
        boolean answers = apiServer.answers();
        liveness.check(watching && answers, !watching ? "its watch of nodes or node leases is down"
                : answers ? null : "the API server does not answer");
        databasePorts.ifPresent(DatabasePorts::probeAll);
    }

    private void readPower() {
        credentials.ifPresent(RedfishCredentials::refresh);
        powerPolls.pollAll();
    }

    /** A node just stopped being ALIVE: its second signals now rather than at the next round. */
    private void turnedStale(String node) {
        powerPolls.pollNow(node);
        databasePorts.ifPresent(ports -> ports.probeNow(node));
    }

    /** Node liveness as this replica judges it, for tests and diagnostics. */
    public LivenessTracker liveness() {
        return liveness;
    }

    private static void every(ScheduledExecutorService executor, Duration period, Runnable task) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("a periodic liveness task failed; it runs again next period", e);
            }
        }, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        List.of(checking, probing, bmcs).forEach(ScheduledExecutorService::shutdownNow);
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

    /** Hands each object the informer delivers on, with whether it is the final state of a deleted one. */
    private static <T extends HasMetadata> ResourceEventHandler<T> handler(BiConsumer<T, Boolean> observed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                observed.accept(obj, false);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                observed.accept(newObj, false);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                observed.accept(obj, true);
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

    private static void meter(MeterRegistry registry, LivenessTracker liveness) {
        for (NodeLiveness state : NodeLiveness.values()) {
            Gauge.builder("pgwarden.watcher.nodes", liveness, t -> t.count(state))
                    .description("Nodes by liveness, as this replica judges them").tag("liveness", state.name())
                    .register(registry);
            for (NodeLiveness to : NodeLiveness.values()) {
                if (to != state) {
                    FunctionCounter.builder("pgwarden.watcher.liveness.transitions", liveness,
                                    t -> t.transitions(state, to))
                            .description("Changes of a node's liveness (to ALIVE from another: recovered)")
                            .tag("from", state.name()).tag("to", to.name()).register(registry);
                }
            }
        }
        Gauge.builder("pgwarden.watcher.api.view", liveness, t -> t.view().filter(v -> v.sees()).isPresent() ? 1 : 0)
                .description("1 while node-watcher sees the API server (watches up, API answering): lease staleness "
                        + "counts only then").register(registry);
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
