package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.sandbox.control.ClusterView;
import io.pgwarden.sandbox.control.PodPhases;
import io.pgwarden.sandbox.postgres.PostgresProcess;

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
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A simulated node's kubelet, the node agent. Like the real kubelet it registers its Node, renews its Lease in
 * kube-node-lease every interval (KEP-589), posts node status when it changes, hands the pods bound to it to pod
 * workers once their volumes are attached, confirms the deletion of a pod it stopped (delete with grace period 0),
 * and kills pods it still runs that the API server no longer has. A powered-off node does none of this and its
 * processes are dead; a partitioned node cannot reach the API server but its processes keep running.
 */
public final class Kubelet {
    private static final Logger LOG = Logger.getLogger(Kubelet.class.getName());

    private final String name;
    private final String internalIp;
    private volatile String storageAddress;
    private final NodeServices services;
    private final KubernetesClient client;
    private final ContainerRuntime runtime;
    private final Map<String, PodWorker> pods = new ConcurrentHashMap<>();
    private volatile boolean powered = true;
    private volatile boolean partitioned;
    private volatile boolean runtimeDown;
    private volatile boolean fenced;
    private volatile boolean statusStale = true;
    private volatile Lease lease;
    private volatile Set<String> reportedVolumes = Set.of();
    private volatile Set<String> reportedImages = Set.of();

    public Kubelet(String name, String internalIp, NodeServices services) {
        this.name = name;
        this.internalIp = internalIp;
        this.storageAddress = internalIp;
        this.services = services;
        this.client = services.client();
        this.runtime = new ContainerRuntime(name, services);
    }

    public String name() {
        return name;
    }

    public String internalIp() {
        return internalIp;
    }

    /**
     * The address the node's Ceph client talks from, which a blocklist entry must cover: its InternalIP unless the
     * node reaches the storage over a network of its own (Rook's Multus public network, for instance).
     */
    public String storageAddress() {
        return storageAddress;
    }

    public void useStorageAddress(String address) {
        storageAddress = address;
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

    public boolean isRuntimeDown() {
        return runtimeDown;
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
                    .addToLabels("kubernetes.io/arch", "amd64")
                    .addToAnnotations(Names.STORAGE_ADDRESSES_ANNOTATION, storageAddress).endMetadata()
                    .withNewSpec().endSpec().withNewStatus().endStatus().build()).create();
        }
        postNodeStatus();
        renewLease();
        services.timeline().record("node", name, "Registered");
    }

    /** The node lease heartbeat. One scheduler drives every kubelet's renewal, so thousands of nodes stay cheap. */
    public void renewLease() {
        if (!reachesApiServer()) {
            return;
        }
        String now = micro(services.clock().instant());
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
        Instant now = services.clock().instant();
        List<NodeCondition> conditions = new ArrayList<>();
        for (String pressure : List.of("MemoryPressure", "DiskPressure", "PIDPressure")) {
            conditions.add(condition(pressure, "False", "KubeletHasNo" + pressure, now));
        }
        conditions.add(runtimeDown
                ? new NodeConditionBuilder(condition("Ready", "False", "KubeletNotReady", now))
                        .withMessage("container runtime is down").build()
                : condition("Ready", "True", "KubeletReady", now));
        Set<String> inUse = volumesInUse();
        Set<String> images = runtime.images();
        List<ContainerImage> imageList = images.stream().sorted()
                .map(i -> new ContainerImage(List.of(i), 100_000_000L)).toList();
        client.nodes().withName(name).editStatus(node -> {
            node.getStatus().setConditions(conditions);
            node.getStatus().setAddresses(List.of(new NodeAddress(internalIp, "InternalIP"),
                    new NodeAddress(name, "Hostname")));
            node.getStatus().setCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("16Gi"),
                    "pods", new Quantity("110")));
            node.getStatus().setAllocatable(node.getStatus().getCapacity());
            node.getStatus().setNodeInfo(new NodeSystemInfoBuilder()
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
        reportedImages = images;
    }

    private static NodeCondition condition(String type, String status, String reason, Instant now) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withLastHeartbeatTime(PodStatuses.seconds(now)).withLastTransitionTime(PodStatuses.seconds(now))
                .build();
    }

    /** node.status.volumesInUse: what the attach/detach controller checks before it detaches safely. */
    private Set<String> volumesInUse() {
        Set<String> inUse = new TreeSet<>();
        pods.values().stream().filter(p -> !p.isFinished()).forEach(p -> p.volumes.forEach(handle -> inUse.add(
                StorageNames.uniqueVolumeName(handle))));
        return inUse;
    }

    // ---- pod lifecycle -----------------------------------------------------------------------------------------

    /**
     * One pass of the kubelet's sync loop over the pods the API server binds to this node. Cut off from the API
     * server, the kubelet goes on running the pods it has from the specs it last saw (restarts, probes), only its
     * writes stop; back in touch it reconciles: pods deleted meanwhile are killed, statuses posted again. With its
     * container runtime down it can neither start, restart nor stop a container; what runs keeps running.
     */
    public void sync(ClusterView view) {
        if (!powered) {
            return;
        }
        if (partitioned) {
            if (!runtimeDown) {
                pods.values().forEach(PodWorker::resync);
            }
            return;
        }
        if (!runtimeDown) {
            syncPods(view);
        }
        Node node = view.nodes().get(name);
        String reported = node == null ? "" : ClusterView.ready(node).map(NodeCondition::getStatus).orElse("");
        if (statusStale || !reported.equals(runtimeDown ? "False" : "True") || !volumesInUse().equals(reportedVolumes)
                || !runtime.images().equals(reportedImages)) {
            postNodeStatus();
        }
    }

    private void syncPods(ClusterView view) {
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
        for (PodWorker worker : List.copyOf(pods.values())) {
            if (!boundUids.contains(worker.uid) && !worker.isStopped()) {
                // Gone from the API server (force delete): the pod workers kill it with the grace period its
                // container keeps from the spec (kubernetes pkg/kubelet/kubelet.go HandlePodCleanups, pod_workers.go).
                Duration grace = services.config().scaled(Duration.ofSeconds(
                        PodWorker.killGraceSeconds(null, worker.terminationGracePeriodSeconds)));
                worker.stopping();
                services.workers().submit(() -> stop(worker, grace));
            }
        }
    }

    private void syncPod(Pod pod, ClusterView view) {
        PodWorker worker = pods.get(pod.getMetadata().getUid());
        if (ClusterView.isTerminating(pod)) {
            if (worker == null) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withGracePeriod(0).delete();
                services.timeline().record("pod", PodStatuses.key(pod), "Deleted by kubelet on " + name);
            } else if (!worker.isStopped()) {
                Duration period = services.config().scaled(Duration.ofSeconds(PodWorker.killGraceSeconds(
                        pod.getMetadata().getDeletionGracePeriodSeconds(), worker.terminationGracePeriodSeconds)));
                worker.stopping();
                services.workers().submit(() -> stop(worker, period));
            }
            return;
        }
        if (worker == null && PodPhases.isTerminal(pod)) {
            return; // a finished pod's containers do not run again
        }
        if (worker == null) {
            Optional<List<String>> volumes = view.boundVolumes(pod);
            Optional<List<String>> handles = volumes.map(vs -> vs.stream().map(pv -> view.volumeHandle(pv).orElse(pv))
                    .toList());
            boolean attached = handles.map(hs -> attachedPerNodeStatus(view.nodes().get(name), hs)).orElse(false);
            if (!attached || (fenced && !handles.get().isEmpty())) {
                post(pod, PodStatuses.waiting(pod, internalIp, "ContainerCreating"));
                return;
            }
            PodWorker created = new PodWorker(pod, handles.get(), this, runtime, services);
            handles.get().forEach(handle -> services.storage().map(handle, name)); // NodeStage: rbd map
            pods.put(created.uid, created);
            created.start(pod);
            return;
        }
        worker.sync(pod);
    }

    /**
     * VerifyControllerAttachedVolume ({@code pkg/kubelet/volumemanager/reconciler}): the kubelet mounts a volume only
     * once the attach/detach controller lists it in this node's status.volumesAttached.
     */
    static boolean attachedPerNodeStatus(Node node, List<String> handles) {
        Set<String> attached = node == null || node.getStatus() == null || node.getStatus().getVolumesAttached() == null
                ? Set.of() : node.getStatus().getVolumesAttached().stream().map(a -> a.getName()).collect(
                java.util.stream.Collectors.toSet());
        return handles.stream().allMatch(h -> attached.contains(StorageNames.uniqueVolumeName(h)));
    }

    /** An Event about a pod from this node's kubelet; lost, as the kubelet's are, while it cannot reach the API server. */
    void event(Pod pod, String reason, String message) {
        if (!reachesApiServer()) {
            return;
        }
        String ns = pod.getMetadata().getNamespace();
        Instant now = services.clock().instant();
        try {
            client.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata()
                    .withName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())).withNamespace(ns)
                    .endMetadata().withInvolvedObject(new ObjectReferenceBuilder().withKind("Pod").withNamespace(ns)
                            .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                            .withFieldPath("spec.containers{" + pod.getSpec().getContainers().get(0).getName() + "}")
                            .build())
                    .withType("Normal").withReason(reason).withMessage(message)
                    .withNewSource().withComponent("kubelet").withHost(name).endSource()
                    .withFirstTimestamp(PodStatuses.seconds(now)).withLastTimestamp(PodStatuses.seconds(now)).withCount(1)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.log(Level.FINE, "kubelet " + name + " event " + reason, e);
        }
    }

    private void stop(PodWorker worker, Duration grace) {
        worker.terminate(grace);
        finished(worker);
        pods.remove(worker.uid);
    }

    /** The pod's containers are done: its volumes are unmapped (NodeUnstage: rbd unmap). */
    void finished(PodWorker worker) {
        worker.volumes.forEach(handle -> services.storage().unmap(handle, name));
    }

    /**
     * A pod worker saw its pod change (its container started or exited, its readiness probe answered): the pod is
     * synced and its status posted at once, not at the next pass. So does the kubelet: a probe result goes to the
     * status manager (SetContainerReadiness) and to a pod sync (handleProbeSync), a PLEG event to a pod sync
     * ({@code pkg/kubelet/kubelet.go} syncLoopIteration), and the status manager patches the pod as soon as its
     * channel is signalled, not at its periodic syncBatch ({@code pkg/kubelet/status/status_manager.go}
     * updateStatusInternal, syncPod). The sync runs on the sync loop, one thread with every pass, so a pod's status
     * writes are serialized, and each is computed when it is written: none carries an older state than the last.
     */
    void podChanged(PodWorker worker) {
        try {
            services.syncLoop().execute(() -> syncChanged(worker));
        } catch (RejectedExecutionException closing) {
            // the sandbox is closing
        }
    }

    private void syncChanged(PodWorker worker) {
        if (!reachesApiServer() || runtimeDown || worker.isStopped() || pods.get(worker.uid) != worker) {
            return; // a dead or cut-off kubelet posts nothing; a stopping pod is the pass's business
        }
        try {
            // As the status manager's syncPod: the pod as the API server has it, unless deleted or recreated since.
            Pod pod = client.pods().inNamespace(worker.namespace).withName(worker.name).get();
            if (pod != null && worker.uid.equals(pod.getMetadata().getUid()) && !ClusterView.isTerminating(pod)) {
                worker.sync(pod);
            }
        } catch (KubernetesClientException e) {
            LOG.log(Level.FINE, "kubelet " + name + " pod " + worker.name + ", posted at the next pass instead", e);
        }
    }

    /** Posts a pod's status only when something a reader would see changed (phase, readiness, IP, restarts). */
    void post(Pod pod, PodStatus status) {
        if (!reachesApiServer()
                || Objects.equals(PodStatuses.fingerprint(pod.getStatus()), PodStatuses.fingerprint(status))) {
            return;
        }
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .editStatus(p -> {
                    p.setStatus(PodStatuses.merged(p.getStatus(), status));
                    return p;
                });
        services.timeline().record("pod", PodStatuses.key(pod), PodStatuses.fingerprint(status) + " on " + name);
    }

    // ---- faults ------------------------------------------------------------------------------------------------

    /** Power cut: heartbeats stop, every process on the node dies at once, and the writes no fsync covered are lost. */
    public synchronized void powerOff() {
        if (!powered) {
            return;
        }
        powered = false;
        services.network().hostDown(name); // before the kill: its connections must hang, not close
        killAll();
        runtime.powerCut();
        lease = null;
        services.timeline().record("node", name, "PoweredOff");
    }

    /** Boot: the kubelet starts again with nothing running and re-posts its status. */
    public synchronized void powerOn() {
        if (powered) {
            return;
        }
        powered = true;
        services.network().hostUp(name);
        statusStale = true;
        services.timeline().record("node", name, "PoweredOn");
        renewLease();
    }

    /** The node loses the control plane: heartbeats stop, its processes keep running and writing. */
    public synchronized void partition() {
        partitioned = true;
        lease = null;
        services.timeline().record("node", name, "Partitioned");
    }

    public synchronized void heal() {
        if (partitioned) {
            partitioned = false;
            statusStale = true;
            services.timeline().record("node", name, "Healed");
            renewLease();
        }
    }

    /**
     * The container runtime stops answering (containerd down, PLEG unhealthy): the kubelet still renews its lease but
     * posts Ready=False ("container runtime is down"); the containers keep running, nothing is started or stopped.
     */
    public synchronized void containerRuntime(boolean up) {
        if (runtimeDown == !up) {
            return;
        }
        runtimeDown = !up;
        statusStale = true;
        services.timeline().record("node", name, up ? "RuntimeUp" : "RuntimeDown");
    }

    /**
     * Storage fencing (a Ceph blocklist entry covering this node's storage address, from a NetworkFence or Ceph
     * CSI's own fencing): every read and write of the node's volumes fails, so PostgreSQL PANICs at its next WAL
     * write or fsync, while a session answering from shared buffers may keep answering; no pod with a volume starts
     * here until the entry is gone.
     */
    public synchronized void fence(boolean fence) {
        if (fence == fenced) {
            return;
        }
        fenced = fence;
        runtime.blocklisted(fence);
        services.timeline().record("node", name, fence ? "Fenced" : "Unfenced");
        pods.values().forEach(w -> w.writeAccess(!fence));
    }

    /** Kills a pod's process, as a crash would; the kubelet restarts it on its next pass. */
    public boolean killPod(String namespace, String podName) {
        for (PodWorker worker : pods.values()) {
            if (worker.namespace.equals(namespace) && worker.name.equals(podName) && worker.kill()) {
                services.timeline().record("pod", namespace + "/" + podName, "Killed on " + name);
                return true;
            }
        }
        return false;
    }

    /** The PostgreSQL processes running a volume on this node, for snapshots (fsfreeze). */
    public List<PostgresProcess> postgresOn(String volume) {
        return pods.values().stream().flatMap(w -> w.postgresOn(volume).stream()).toList();
    }

    /** Shutdown of the whole sandbox: no process may outlive it. */
    public void killAll() {
        for (PodWorker worker : List.copyOf(pods.values())) {
            stop(worker, Duration.ZERO);
        }
    }

    private static String micro(Instant instant) {
        return ZonedDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC).toString();
    }
}
