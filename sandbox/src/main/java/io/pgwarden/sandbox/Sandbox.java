package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.api.ApiServer;
import io.pgwarden.sandbox.control.CephBlocklist;
import io.pgwarden.sandbox.control.CephCsiFencing;
import io.pgwarden.sandbox.control.ClusterView;
import io.pgwarden.sandbox.control.DisruptionController;
import io.pgwarden.sandbox.control.JobController;
import io.pgwarden.sandbox.control.ExternalAttacher;
import io.pgwarden.sandbox.control.NetworkFences;
import io.pgwarden.sandbox.control.NodeLifecycleController;
import io.pgwarden.sandbox.control.PodGarbageCollector;
import io.pgwarden.sandbox.control.TaintEvictionController;
import io.pgwarden.sandbox.control.Scheduler;
import io.pgwarden.sandbox.control.ServiceProxies;
import io.pgwarden.sandbox.control.Snapshots;
import io.pgwarden.sandbox.control.StatefulSetController;
import io.pgwarden.sandbox.control.Storage;
import io.pgwarden.sandbox.control.VolumeController;
import io.pgwarden.sandbox.fault.FaultApi;
import io.pgwarden.sandbox.kubelet.Kubelet;
import io.pgwarden.sandbox.kubelet.NodeServices;
import io.pgwarden.sandbox.kubelet.PodNetwork;
import io.pgwarden.sandbox.kubelet.ProcessRegistry;
import io.pgwarden.sandbox.postgres.PostgresBinaries;
import io.pgwarden.sandbox.postgres.PostgresProcess;
import io.pgwarden.sandbox.record.InvariantRecorder;
import io.pgwarden.sandbox.record.Timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A simulated Kubernetes cluster: the API server, one kubelet per node, the controllers, the Services' ports, and
 * the fault-injection API. Services use it only through {@link #apiServerUrl()}; tests may also call the fault
 * methods here directly.
 */
public final class Sandbox implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sandbox.class.getName());

    private final SandboxConfig config;
    private final Clock clock = Clock.systemUTC();
    private final Storage storage;
    private final Path postgresBin;
    private final ApiServer api;
    private final KubernetesClient client;
    private final Timeline timeline = new Timeline(clock);
    private final InvariantRecorder recorder = new InvariantRecorder(clock);
    private final PodNetwork network = new PodNetwork();
    private final ProcessRegistry processes = new ProcessRegistry();
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("sandbox-worker"));
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(daemon("sandbox-control"));
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("sandbox-heartbeats"));
    private final Faults faults;
    private final NodeLifecycleController nodeLifecycle;
    private final TaintEvictionController taintEviction;
    private final PodGarbageCollector podGc;
    private final DisruptionController disruption;
    private final Scheduler scheduler;
    private final StatefulSetController statefulSets;
    private final JobController jobs;
    private final VolumeController volumes;
    private final ExternalAttacher attacher;
    private final Snapshots snapshots;
    private final NetworkFences fences;
    private final CephCsiFencing cephCsiFencing;
    private final ServiceProxies services;
    private final FaultApi faultApi;
    private volatile boolean demoDeployed;
    private volatile boolean bootstrapped;
    private final AtomicBoolean reactivePassPending = new AtomicBoolean();
    /** Kubelets renew leases all the time and controllers write Events; neither is a reason to reconcile. */
    private static final Set<String> IGNORED_CHANGES = Set.of("leases", "events");
    private static final long REACTION_DELAY_MS = 50;

    private Sandbox(SandboxConfig config) {
        this.config = config;
        this.storage = new Storage(config.dataDir());
        storage.create(config.dataDir());
        storage.reset();
        io.pgwarden.sandbox.ceph.RbdCommand.install(storage);
        this.postgresBin = PostgresBinaries.install(Path.of(System.getProperty("java.io.tmpdir"),
                "pgwarden-sandbox-postgres-17.6.0"));
        // Pods carry the real tolerationSeconds (300), as a user sees them; the taint-eviction controller scales them.
        this.api = ApiServer.start(config.apiPort(), clock, config.timings().podEvictionToleration().toSeconds(),
                this::changed);
        this.client = api.newClient();
        this.nodeLifecycle = new NodeLifecycleController(client, clock, config.nodeMonitorGracePeriod(),
                config.scaled(config.timings().nodeEvictionInterval()),
                config.scaled(config.timings().secondaryNodeEvictionInterval()), timeline);
        this.taintEviction = new TaintEvictionController(client, clock, config::scaled, timeline);
        this.podGc = new PodGarbageCollector(client, clock, config.scaled(config.timings().podGcCheckPeriod()),
                config.scaled(config.timings().podGcQuarantine()), timeline);
        this.disruption = new DisruptionController(client, clock, config.scaled(config.timings().pdbDeletionTimeout()),
                timeline);
        this.scheduler = new Scheduler(client, timeline);
        this.statefulSets = new StatefulSetController(client, timeline);
        this.jobs = new JobController(client, clock, config, timeline);
        this.faults = new Faults(new NodeServices(client, clock, config, storage, postgresBin, network, processes,
                recorder, timeline, workers, control), heartbeats, api, this::httpApiUrl, this::readySnapshotHandle);
        this.snapshots = new Snapshots(client, clock, config.scaled(config.timings().snapshotCreation()), storage,
                timeline, faults::writersOf);
        this.volumes = new VolumeController(client, clock, config.forceDetachTimeout(),
                config.disableForceDetachOnTimeout(), storage, snapshots, timeline);
        this.attacher = new ExternalAttacher(client, control, config.scaled(config.timings().attachTime()), timeline);
        CephBlocklist blocklist = new CephBlocklist();
        this.fences = new NetworkFences(client, clock, config.networkFenceLatency(), blocklist, timeline);
        this.cephCsiFencing = new CephCsiFencing(config.cephCsiFencing(), blocklist, timeline);
        volumes.onDetach(cephCsiFencing::unpublished);
        this.services = new ServiceProxies(network, workers, s ->
                DemoDatabase.NAME.equals(s.getMetadata().getName()) && DemoDatabase.NAMESPACE.equals(
                        s.getMetadata().getNamespace()) ? config.demoDbPort() : 0,
                node -> faults.node(node).map(k -> k.isPowered() && !k.isPartitioned()).orElse(false));
        this.faultApi = FaultApi.start(config, this);
    }

    public static Sandbox start(SandboxConfig config) {
        requireFree(config.apiPort(), "the Kubernetes API");
        requireFree(config.httpPort(), "the sandbox HTTP API");
        if (config.deployDemoDatabase()) {
            requireFree(config.demoDbPort(), "the demo database Service");
        }
        Sandbox sandbox = new Sandbox(config);
        try {
            sandbox.bootstrap();
        } catch (RuntimeException e) {
            sandbox.close();
            throw e;
        }
        return sandbox;
    }

    private void bootstrap() {
        for (String ns : List.of("default", "kube-system", "kube-public", Names.NODE_LEASE_NAMESPACE)) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata()
                .withName(StorageNames.STORAGE_CLASS)
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
                .withProvisioner(StorageNames.CSI_DRIVER).withReclaimPolicy("Delete").withVolumeBindingMode("Immediate")
                .build()).create();
        snapshots.installClass();
        config.nodeNames().forEach(faults::addNode);
        long period = config.nodeMonitorPeriod().toMillis();
        bootstrapped = true;
        control.scheduleWithFixedDelay(() -> reconcile(true), 0, period, TimeUnit.MILLISECONDS);
        if (config.deployDemoDatabase()) {
            deployDemoDatabase();
        }
    }

    /**
     * Real controllers and kubelets act on watch events within milliseconds: a change stored by the API server
     * (but a lease renewal or an Event) brings a pass soon, and changes within that delay share it.
     */
    private void changed(String resource) {
        if (IGNORED_CHANGES.contains(resource) || !reactivePassPending.compareAndSet(false, true)) {
            return;
        }
        try {
            control.schedule(() -> {
                reactivePassPending.set(false);
                reconcile(false);
            }, REACTION_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            reactivePassPending.set(false);
        }
    }

    /**
     * One pass of every controller and kubelet over one read of the cluster. The node lifecycle controller's health
     * monitoring only runs in the periodic pass, every node-monitor-period, as monitorNodeHealth does; its NoSchedule
     * taints follow node changes, as doNoScheduleTaintingPass does on node events; the pod GC keeps its own period.
     */
    private void reconcile(boolean periodic) {
        if (!bootstrapped) {
            return;
        }
        ClusterView view;
        try {
            view = ClusterView.read(client);
        } catch (RuntimeException e) {
            if (!Thread.currentThread().isInterrupted() && api.outage().filter(ApiServer.Outage::everyone).isEmpty()) {
                LOG.log(Level.WARNING, "cannot read the cluster", e);
            }
            return;
        }
        if (periodic) {
            step("node lifecycle", () -> nodeLifecycle.reconcile(view));
        }
        step("node taints by condition", () -> nodeLifecycle.taintByConditions(view));
        step("taint eviction", () -> taintEviction.reconcile(view));
        step("pod gc", () -> podGc.reconcile(view));
        step("disruption", () -> disruption.reconcile(view));
        step("ceph csi fencing", () -> cephCsiFencing.published(view, faults.nodes()));
        step("network fences", () -> fences.reconcile(faults.nodes()));
        step("statefulsets", () -> statefulSets.reconcile(view));
        step("jobs", () -> jobs.reconcile(view));
        step("scheduler", () -> scheduler.reconcile(view));
        step("volumes", () -> volumes.reconcile(view));
        step("external-attacher", () -> attacher.reconcile(view));
        step("snapshots", () -> snapshots.reconcile(view));
        for (Kubelet kubelet : faults.nodes()) {
            step("kubelet " + kubelet.name(), () -> kubelet.sync(view));
        }
        step("services", () -> services.reconcile(view));
    }

    /** A taken port fails with its purpose named, before anything has started. */
    private static void requireFree(int port, String what) {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IllegalStateException(what + " cannot use port " + port + " on 127.0.0.1: it is already taken ("
                    + e.getMessage() + "). Stop whatever holds it or choose another port.", e);
        }
    }

    private static void step(String what, Runnable step) {
        try {
            step.run();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            // A conflict or a race with another writer: the next pass reads again, as controllers requeue.
            LOG.log(Level.FINE, what + " failed, retrying on the next pass", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, what + " failed, retrying on the next pass", e);
        }
    }

    // ---- the API the integrator uses ---------------------------------------------------------------------------

    public String apiServerUrl() {
        return api.url();
    }

    public String httpApiUrl() {
        return faultApi.url();
    }

    /** The writes the API server answered, and slow answers on request: for tests of what clients do. */
    public io.pgwarden.sandbox.api.ApiRequests apiRequests() {
        return api.requests();
    }

    public KubernetesClient client() {
        return client;
    }

    /** A kubeconfig for kubectl and other clients: the plain-HTTP server, no authentication. */
    public void writeKubeconfig(Path file) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: pgwarden-sandbox
                  cluster:
                    server: %s
                contexts:
                - name: pgwarden-sandbox
                  context:
                    cluster: pgwarden-sandbox
                    user: pgwarden-sandbox
                    namespace: default
                current-context: pgwarden-sandbox
                users:
                - name: pgwarden-sandbox
                  user:
                    token: sandbox
                """.formatted(apiServerUrl());
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<String> demoDatabaseJdbcUrl() {
        if (!demoDeployed) {
            return Optional.empty();
        }
        return services.port(DemoDatabase.NAMESPACE, DemoDatabase.NAME)
                .map(port -> "jdbc:postgresql://127.0.0.1:" + port + "/postgres");
    }

    /** Deploys the demo database if it is not there yet (the local run's default). */
    public synchronized void deployDemoDatabase() {
        if (!demoDeployed) {
            services.open(DemoDatabase.NAMESPACE, DemoDatabase.NAME, config.demoDbPort());
            DemoDatabase.deploy(client);
            demoDeployed = true;
        }
    }

    /** The local port of any Service that selects pods, once its proxy runs. */
    public Optional<Integer> servicePort(String namespace, String name) {
        return services.port(namespace, name);
    }

    /**
     * The local port of a Service as a client on the given node reaches it: through that node's kube-proxy, which
     * keeps routing to the endpoints it saw last while the node is partitioned from the API server.
     */
    public Optional<Integer> servicePort(String namespace, String name, String node) {
        faults.node(node).orElseThrow(() -> new UnknownNameException("no node named " + node));
        return services.port(namespace, name, node);
    }

    /**
     * The local port where a pod's IP answers for pgwarden's services, which run on the control plane's side of a
     * partition: empty when packets to it are lost, because its node is powered off or partitioned (its processes keep
     * running, and Services and the other nodes still reach them). A pod whose process died answers with a refusal,
     * as a running node does for a port nothing listens on.
     *
     * @throws UnknownNameException when there is no such pod, or it has no IP yet
     */
    public Optional<Integer> podPort(String namespace, String name) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        String ip = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null) {
            throw new UnknownNameException("no pod " + namespace + "/" + name + " with an IP");
        }
        boolean partitioned = network.node(ip).flatMap(faults::node).map(Kubelet::isPartitioned).orElse(false);
        return partitioned ? Optional.empty() : network.localPort(ip);
    }

    /** Nodes added and removed, power, partitions, crashed processes. */
    private Optional<String> readySnapshotHandle(String namespace, String volumeSnapshot) {
        return snapshots.readySnapshotHandle(namespace, volumeSnapshot);
    }

    public Faults faults() {
        return faults;
    }

    public InvariantRecorder invariants() {
        return recorder;
    }

    public Timeline timeline() {
        return timeline;
    }

    /** Stops every process and server the sandbox started. */
    @Override
    public void close() {
        control.shutdownNow();
        heartbeats.shutdownNow();
        await(control);
        await(heartbeats);
        faults.killAll();
        services.close();
        workers.shutdownNow();
        await(workers);
        processes.killAll();
        faultApi.close();
        client.close();
        api.close();
    }

    private static void await(ExecutorService executor) {
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A node or pod name the sandbox does not know. */
    public static final class UnknownNameException extends RuntimeException {
        public UnknownNameException(String message) {
            super(message);
        }
    }
}
