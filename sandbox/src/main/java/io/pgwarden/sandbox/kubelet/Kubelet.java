package io.pgwarden.sandbox.kubelet;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.StorageNames;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.sandbox.control.ClusterView;
import io.pgwarden.sandbox.control.Storage;
import io.pgwarden.sandbox.record.InvariantRecorder;
import io.pgwarden.sandbox.record.Timeline;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A simulated node's kubelet and container runtime. Like the real kubelet it registers its Node, renews its Lease
 * in kube-node-lease every interval (KEP-589), posts node status when it changes, runs the pods bound to it once
 * their volumes are attached (the attach/detach controller's VolumeAttachment), restarts a container that died,
 * stops a pod marked for deletion and then confirms the deletion (delete with grace period 0), and kills pods it
 * still runs that the API server no longer has. A powered-off node does none of this and its processes are dead;
 * a partitioned node cannot reach the API server but its processes keep running.
 */
public final class Kubelet {
    private static final Logger LOG = Logger.getLogger(Kubelet.class.getName());

    /** What the kubelet runs for one pod object. */
    private static final class RunningPod {
        final String uid;
        final String namespace;
        final String name;
        final List<String> volumes;
        volatile Container container;
        volatile String podIp;
        volatile Instant startedAt;
        volatile int restarts;
        volatile boolean starting;
        volatile boolean stopped;
        volatile Instant restartNotBefore;

        RunningPod(Pod pod, List<String> volumes) {
            this.uid = pod.getMetadata().getUid();
            this.namespace = pod.getMetadata().getNamespace();
            this.name = pod.getMetadata().getName();
            this.volumes = volumes;
        }
    }

    private final String name;
    private final String internalIp;
    private final KubernetesClient client;
    private final Clock clock;
    private final Storage storage;
    private final Path postgresBin;
    private final PodNetwork network;
    private final ProcessRegistry processes;
    private final InvariantRecorder recorder;
    private final Timeline timeline;
    private final ExecutorService workers;
    private final Map<String, RunningPod> pods = new ConcurrentHashMap<>();
    private final Set<String> images = ConcurrentHashMap.newKeySet();
    private volatile boolean powered = true;
    private volatile boolean partitioned;
    private volatile boolean fenced;
    private volatile boolean statusStale = true;
    private volatile Lease lease;
    private volatile Set<String> reportedVolumes = Set.of();
    private volatile Set<String> reportedImages = Set.of();

    public Kubelet(String name, String internalIp, KubernetesClient client, Clock clock, Storage storage,
                   Path postgresBin, PodNetwork network, ProcessRegistry processes, InvariantRecorder recorder,
                   Timeline timeline, ExecutorService workers) {
        this.name = name;
        this.internalIp = internalIp;
        this.client = client;
        this.clock = clock;
        this.storage = storage;
        this.postgresBin = postgresBin;
        this.network = network;
        this.processes = processes;
        this.recorder = recorder;
        this.timeline = timeline;
        this.workers = workers;
    }

    public String name() {
        return name;
    }

    public String internalIp() {
        return internalIp;
    }

    public boolean isPowered() {
        return powered;
    }

    public boolean isPartitioned() {
        return partitioned;
    }

    public boolean isFenced() {
        return fenced;
    }

    private boolean reachesApiServer() {
        return powered && !partitioned;
    }

    // ---- registration and heartbeats ---------------------------------------------------------------------------

    /** Node self-registration, as the kubelet does on start (--register-node). */
    public void register() {
        if (client.nodes().withName(name).get() == null) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                    .addToLabels("kubernetes.io/hostname", name).addToLabels("kubernetes.io/os", "linux")
                    .addToLabels("kubernetes.io/arch", "amd64").endMetadata()
                    .withNewSpec().endSpec().withNewStatus().endStatus().build()).create();
        }
        postNodeStatus();
        renewLease();
        timeline.record("node", name, "Registered");
    }

    /** The node lease heartbeat. One scheduler drives every kubelet's renewal, so thousands of nodes stay cheap. */
    public void renewLease() {
        if (!reachesApiServer()) {
            return;
        }
        String now = micro(clock.instant());
        try {
            Lease current = lease;
            if (current == null) {
                current = client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName(name).get();
            }
            if (current == null) {
                lease = client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE).resource(new LeaseBuilder()
                        .withNewMetadata().withName(name).withNamespace(Names.NODE_LEASE_NAMESPACE).endMetadata()
                        .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40)
                        .withRenewTime(ZonedDateTime.parse(now)).endSpec().build()).create();
                return;
            }
            current.getSpec().setRenewTime(ZonedDateTime.parse(now));
            lease = client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE).resource(current).update();
        } catch (KubernetesClientException e) {
            lease = null; // a conflict or a reset: read it again next time, as the kubelet's lease controller does
        }
    }

    private void postNodeStatus() {
        Instant now = clock.instant();
        List<NodeCondition> conditions = new ArrayList<>();
        for (String pressure : List.of("MemoryPressure", "DiskPressure", "PIDPressure")) {
            conditions.add(condition(pressure, "False", "KubeletHasNo" + pressure, now));
        }
        conditions.add(condition("Ready", "True", "KubeletReady", now));
        Set<String> inUse = volumesInUse();
        List<ContainerImage> imageList = images.stream().sorted()
                .map(i -> new ContainerImage(List.of(i), 100_000_000L)).toList();
        client.nodes().withName(name).editStatus(node -> {
            node.getStatus().setConditions(conditions);
            node.getStatus().setAddresses(List.of(
                    new io.fabric8.kubernetes.api.model.NodeAddress(internalIp, "InternalIP"),
                    new io.fabric8.kubernetes.api.model.NodeAddress(name, "Hostname")));
            node.getStatus().setCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("16Gi"),
                    "pods", new Quantity("110")));
            node.getStatus().setAllocatable(node.getStatus().getCapacity());
            node.getStatus().setNodeInfo(new io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder()
                    .withKubeletVersion("v1.32.0").withKubeProxyVersion("v1.32.0").withOperatingSystem("linux")
                    .withArchitecture("amd64").withContainerRuntimeVersion("sandbox://1.0")
                    .withOsImage("pgwarden sandbox").withKernelVersion("6.1").withMachineID(name)
                    .withSystemUUID(name).withBootID(name).build());
            node.getStatus().setImages(imageList);
            node.getStatus().setVolumesInUse(new ArrayList<>(inUse));
            return node;
        });
        statusStale = false;
        reportedVolumes = inUse;
        reportedImages = Set.copyOf(images);
    }

    private static NodeCondition condition(String type, String status, String reason, Instant now) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withLastHeartbeatTime(seconds(now)).withLastTransitionTime(seconds(now)).build();
    }

    /** node.status.volumesInUse: what the attach/detach controller checks before it detaches safely. */
    private Set<String> volumesInUse() {
        Set<String> inUse = new TreeSet<>();
        pods.values().forEach(p -> p.volumes.forEach(v -> inUse.add("kubernetes.io/csi/" + StorageNames.CSI_DRIVER + "^" + v)));
        return inUse;
    }

    // ---- pod lifecycle -----------------------------------------------------------------------------------------

    /** One pass of the kubelet's sync loop over the pods the API server binds to this node. */
    public void sync(ClusterView view) {
        if (!reachesApiServer()) {
            return;
        }
        List<Pod> bound = view.podsOn(name);
        Set<String> boundUids = new TreeSet<>();
        for (Pod pod : bound) {
            boundUids.add(pod.getMetadata().getUid());
            try {
                syncPod(pod, view);
            } catch (KubernetesClientException e) {
                LOG.log(Level.FINE, "kubelet " + name + " pod " + pod.getMetadata().getName(), e);
            }
        }
        for (RunningPod running : List.copyOf(pods.values())) {
            if (!boundUids.contains(running.uid)) {
                // Deleted from the API server while this node was away (force delete): kill what is left of it.
                workers.submit(() -> terminate(running, Duration.ZERO));
            }
        }
        Node node = view.nodes().get(name);
        boolean notReady = node == null || !ClusterView.isReady(node);
        if (statusStale || notReady || !volumesInUse().equals(reportedVolumes) || !images.equals(reportedImages)) {
            postNodeStatus();
        }
    }

    private void syncPod(Pod pod, ClusterView view) {
        RunningPod running = pods.get(pod.getMetadata().getUid());
        if (ClusterView.isTerminating(pod)) {
            if (running == null) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withGracePeriod(0).delete();
                timeline.record("pod", key(pod), "Deleted by kubelet on " + name);
            } else if (!running.stopped) {
                running.stopped = true;
                Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
                workers.submit(() -> terminate(running, Duration.ofSeconds(grace == null ? 30 : grace)));
            }
            return;
        }
        if (running == null) {
            Optional<List<String>> volumes = view.boundVolumes(pod);
            boolean attached = volumes.map(vs -> vs.stream().allMatch(v -> view.isAttached(v, name))).orElse(false);
            if (!attached || (fenced && !volumes.get().isEmpty())) {
                reportStatus(pod, waiting(pod, "ContainerCreating"));
                return;
            }
            RunningPod created = new RunningPod(pod, volumes.get());
            pods.put(created.uid, created);
            startContainer(created, pod);
            return;
        }
        Container container = running.container;
        boolean blocklisted = fenced && !running.volumes.isEmpty();
        if (container != null && !running.starting && !container.isRunning() && !running.stopped && !blocklisted) {
            // The container died (killed, crashed): restartPolicy Always restarts it in the same pod, at once the
            // first time, then with CrashLoopBackOff (10 s doubling up to 5 min).
            Instant now = clock.instant();
            if (running.restartNotBefore == null) {
                timeline.record("pod", key(pod), "ContainerDied on " + name);
                running.restartNotBefore = now.plus(CrashLoopBackOff.delay(running.restarts));
            }
            if (!now.isBefore(running.restartNotBefore)) {
                running.restarts++;
                running.restartNotBefore = null;
                startContainer(running, pod);
            }
        }
        reportStatus(pod, runningStatus(pod, running));
    }

    private void startContainer(RunningPod running, Pod pod) {
        running.starting = true;
        String image = pod.getSpec().getContainers().get(0).getImage();
        boolean postgres = "true".equals(pod.getMetadata().getLabels().get(Names.MANAGED_LABEL))
                && running.volumes.size() == 1;
        workers.submit(() -> {
            try {
                if (running.podIp != null) {
                    network.release(running.podIp);
                }
                Container container;
                if (postgres) {
                    int port = freePort();
                    String volume = running.volumes.get(0);
                    PostgresContainer pg = PostgresContainer.start(postgresBin, storage.volume(volume), port,
                            storage.logs(name).resolve(running.name + ".log"), name, running.namespace + "/"
                                    + running.name, volume, processes, recorder);
                    container = pg;
                    running.container = container;
                    if (running.stopped || !powered) {
                        pg.kill(); // the node lost power or the pod was stopped while the process was starting
                        return;
                    }
                    running.podIp = network.allocate(port);
                    running.startedAt = clock.instant();
                    for (int i = 0; i < 600 && pg.isRunning() && !pg.probe() && !running.stopped; i++) {
                        Thread.sleep(100);
                    }
                } else {
                    container = new SleepContainer();
                    running.container = container;
                    running.podIp = network.allocate(0);
                    running.startedAt = clock.instant();
                }
                images.add(image);
                timeline.record("pod", running.namespace + "/" + running.name,
                        (container.isReady() ? "Ready" : "NotReady") + " on " + name);
            } catch (RuntimeException | InterruptedException | IOException e) {
                // Interrupted: the sandbox is closing. Anything else is a real failure the user should see.
                boolean closing = e instanceof InterruptedException || Thread.currentThread().isInterrupted();
                LOG.log(closing ? Level.FINE : Level.WARNING, "cannot start pod " + running.name + " on " + name, e);
            } finally {
                running.starting = false;
            }
        });
    }

    /** Stops a pod's container: killed at once with no grace period, else stopped within it. */
    private void terminate(RunningPod running, Duration grace) {
        Container container = running.container;
        running.stopped = true;
        if (container != null) {
            if (grace.isZero()) {
                container.kill();
            } else {
                container.stop(grace);
            }
        }
        if (running.podIp != null) {
            network.release(running.podIp);
        }
        pods.remove(running.uid);
    }

    private PodStatus waiting(Pod pod, String reason) {
        return new PodStatusBuilder(pod.getStatus() == null ? new PodStatus() : pod.getStatus())
                .withPhase("Pending").withHostIP(internalIp)
                .withConditions(podCondition("PodScheduled", true), podCondition("Ready", false))
                .withContainerStatuses(new ContainerStatusBuilder().withName(containerName(pod))
                        .withImage(pod.getSpec().getContainers().get(0).getImage()).withReady(false)
                        .withRestartCount(0).withNewState().withNewWaiting().withReason(reason).endWaiting()
                        .endState().build())
                .build();
    }

    private PodStatus runningStatus(Pod pod, RunningPod running) {
        Container container = running.container;
        boolean ready = container != null && container.isReady() && !running.starting;
        boolean up = container != null && container.isRunning();
        ContainerStatusBuilder status = new ContainerStatusBuilder().withName(containerName(pod))
                .withImage(pod.getSpec().getContainers().get(0).getImage()).withReady(ready).withStarted(up)
                .withRestartCount(running.restarts).withContainerID("sandbox://" + running.uid + "/" + running.restarts);
        if (up && running.startedAt != null) {
            status.withNewState().withNewRunning().withStartedAt(seconds(running.startedAt)).endRunning().endState();
        } else {
            status.withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState();
        }
        ContainerStatus cs = status.build();
        PodStatusBuilder builder = new PodStatusBuilder().withPhase(up ? "Running" : "Pending").withHostIP(internalIp)
                .withConditions(podCondition("PodScheduled", true), podCondition("Initialized", true),
                        podCondition("ContainersReady", ready), podCondition("Ready", ready))
                .withContainerStatuses(cs);
        if (running.podIp != null) {
            builder.withPodIP(running.podIp).withPodIPs(new io.fabric8.kubernetes.api.model.PodIP(running.podIp));
        }
        if (pod.getStatus() != null && pod.getStatus().getStartTime() != null) {
            builder.withStartTime(pod.getStatus().getStartTime());
        } else {
            builder.withStartTime(seconds(clock.instant()));
        }
        return builder.build();
    }

    /** Posts a pod's status only when something a reader would see changed (phase, readiness, IP, restarts). */
    private void reportStatus(Pod pod, PodStatus status) {
        if (Objects.equals(fingerprint(pod.getStatus()), fingerprint(status))) {
            return;
        }
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .editStatus(p -> {
                    p.setStatus(status);
                    return p;
                });
        timeline.record("pod", key(pod), fingerprint(status) + " on " + name);
    }

    private static String fingerprint(PodStatus status) {
        if (status == null) {
            return "";
        }
        boolean ready = status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        int restarts = status.getContainerStatuses() == null || status.getContainerStatuses().isEmpty() ? 0
                : status.getContainerStatuses().get(0).getRestartCount();
        String waiting = status.getContainerStatuses() == null || status.getContainerStatuses().isEmpty()
                || status.getContainerStatuses().get(0).getState() == null
                || status.getContainerStatuses().get(0).getState().getWaiting() == null ? ""
                : status.getContainerStatuses().get(0).getState().getWaiting().getReason();
        return status.getPhase() + (ready ? " Ready" : " NotReady") + " ip=" + status.getPodIP()
                + " restarts=" + restarts + (waiting.isEmpty() ? "" : " " + waiting);
    }

    private static PodCondition podCondition(String type, boolean status) {
        return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False").build();
    }

    private static String containerName(Pod pod) {
        return pod.getSpec().getContainers().get(0).getName();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    // ---- faults ------------------------------------------------------------------------------------------------

    /** Power cut: heartbeats stop and every process on the node dies at once. */
    public synchronized void powerOff() {
        if (!powered) {
            return;
        }
        powered = false;
        for (RunningPod running : List.copyOf(pods.values())) {
            terminate(running, Duration.ZERO);
        }
        lease = null;
        timeline.record("node", name, "PoweredOff");
    }

    /** Boot: the kubelet starts again with nothing running and re-posts its status. */
    public synchronized void powerOn() {
        if (powered) {
            return;
        }
        powered = true;
        statusStale = true;
        timeline.record("node", name, "PoweredOn");
        renewLease();
    }

    /** The node loses the control plane: heartbeats stop, its processes keep running and writing. */
    public synchronized void partition() {
        partitioned = true;
        lease = null;
        timeline.record("node", name, "Partitioned");
    }

    public synchronized void heal() {
        if (partitioned) {
            partitioned = false;
            statusStale = true;
            timeline.record("node", name, "Healed");
            renewLease();
        }
    }

    /**
     * Storage fencing (a csi-addons NetworkFence covering this node): the node's clients are blocklisted, so every
     * write to a volume fails; PostgreSQL panics on a failed write, so its processes die and are not restarted
     * until the fence is lifted.
     */
    public synchronized void fence(boolean fence) {
        if (fence == fenced) {
            return;
        }
        fenced = fence;
        timeline.record("node", name, fence ? "Fenced" : "Unfenced");
        if (fence) {
            for (RunningPod running : pods.values()) {
                Container c = running.container;
                if (c instanceof PostgresContainer) {
                    c.kill();
                }
            }
        }
    }

    /** Kills a pod's process, as a crash would; the kubelet restarts it on its next pass. */
    public boolean killPod(String namespace, String podName) {
        for (RunningPod running : pods.values()) {
            if (running.namespace.equals(namespace) && running.name.equals(podName) && running.container != null) {
                running.container.kill();
                timeline.record("pod", namespace + "/" + podName, "Killed on " + name);
                return true;
            }
        }
        return false;
    }

    /** The PostgreSQL processes running a volume on this node, for snapshots (fsfreeze). */
    public List<io.pgwarden.sandbox.postgres.PostgresProcess> postgresOn(String volume) {
        List<io.pgwarden.sandbox.postgres.PostgresProcess> found = new ArrayList<>();
        for (RunningPod running : pods.values()) {
            if (running.volumes.contains(volume) && running.container instanceof PostgresContainer pg && pg.isRunning()) {
                found.add(pg.process());
            }
        }
        return found;
    }

    /** Shutdown of the whole sandbox: no process may outlive it. */
    public void killAll() {
        for (RunningPod running : List.copyOf(pods.values())) {
            terminate(running, Duration.ZERO);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String micro(Instant instant) {
        return ZonedDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC).toString();
    }
}
