package io.pgwarden.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.api.ApiServer;
import io.pgwarden.sandbox.kubelet.Kubelet;
import io.pgwarden.sandbox.kubelet.NodeServices;
import io.pgwarden.sandbox.postgres.ControlFileDamage;
import io.pgwarden.sandbox.postgres.PostgresProcess;

import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The machines of the cluster and what can go wrong with them: nodes added and removed, power cut and restored,
 * partitions, crashed processes, an unreachable API server, snapshots gone bad. The fault-injection HTTP API and tests act through it.
 */
public final class Faults {
    private final NodeServices services;
    private final ScheduledExecutorService heartbeats;
    private final ApiServer api;
    private final Supplier<String> httpApiUrl;
    private final BiFunction<String, String, Optional<String>> readySnapshotHandle;
    private final Map<String, Kubelet> kubelets = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> leaseRenewals = new ConcurrentHashMap<>();

    Faults(NodeServices services, ScheduledExecutorService heartbeats, ApiServer api, Supplier<String> httpApiUrl,
           BiFunction<String, String, Optional<String>> readySnapshotHandle) {
        this.services = services;
        this.heartbeats = heartbeats;
        this.api = api;
        this.httpApiUrl = httpApiUrl;
        this.readySnapshotHandle = readySnapshotHandle;
    }

    public Collection<Kubelet> nodes() {
        return List.copyOf(kubelets.values());
    }

    public Optional<Kubelet> node(String name) {
        return Optional.ofNullable(kubelets.get(name));
    }

    private Kubelet kubelet(String name) {
        return node(name).orElseThrow(() -> new Sandbox.UnknownNameException("no node named " + name));
    }

    public void powerOff(String node) {
        kubelet(node).powerOff();
    }

    public void powerOn(String node) {
        kubelet(node).powerOn();
    }

    public void partition(String node) {
        kubelet(node).partition();
    }

    public void heal(String node) {
        kubelet(node).heal();
    }

    /** The node's container runtime stops (true) or comes back: the kubelet reports Ready=False meanwhile. */
    public void containerRuntimeDown(String node, boolean down) {
        kubelet(node).containerRuntime(!down);
    }

    /**
     * For {@code duration} (wall-clock: scale it as the sandbox does, {@code config.scaled(...)}), clients other than
     * the sandbox's control plane cannot reach the API server: pgwarden's services are cut off, kubelets keep renewing
     * their leases. See {@link ApiServer#outage}.
     */
    public void apiOutage(Duration duration) {
        apiOutage(duration, false);
    }

    /** As {@link #apiOutage(Duration)}; with {@code everyone}, the API server is down for the kubelets and controllers too. */
    public void apiOutage(Duration duration, boolean everyone) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("an outage must last, was " + duration);
        }
        api.outage(duration, everyone);
        services.timeline().record("apiserver", "kube-apiserver",
                (everyone ? "DownForEveryone " : "UnreachableForClients ") + duration);
    }

    /** Ends an API outage before its time. */
    public void endApiOutage() {
        api.endOutage();
        services.timeline().record("apiserver", "kube-apiserver", "OutageEnded");
    }

    /** The API outage under way, if any. */
    public Optional<ApiServer.Outage> apiOutage() {
        return api.outage();
    }

    /** Kills the pod's process on whichever node runs it; the kubelet restarts it. */
    public void killPod(String namespace, String pod) {
        boolean killed = kubelets.values().stream().anyMatch(k -> k.killPod(namespace, pod));
        if (!killed) {
            throw new Sandbox.UnknownNameException("no running pod " + namespace + "/" + pod);
        }
    }

    /**
     * Damages the data of a ready VolumeSnapshot as a bad snapshot would (see {@link ControlFileDamage}): a
     * PostgreSQL started on a claim restored from it refuses to start with "incorrect checksum in control file".
     * Claims already restored from it keep their copy.
     */
    public void corruptSnapshot(String namespace, String volumeSnapshot) {
        String handle = readySnapshotHandle.apply(namespace, volumeSnapshot).orElseThrow(() ->
                new Sandbox.UnknownNameException("no ready VolumeSnapshot " + namespace + "/" + volumeSnapshot));
        ControlFileDamage.damage(services.storage().snapshot(handle));
        services.timeline().record("snapshot", namespace + "/" + volumeSnapshot, "Corrupted");
    }

    /** The same for an {@code rbd snap} snapshot {@code pool/image@snap}: its rollback brings back the damage. */
    public void corruptRbdSnapshot(String pool, String image, String snap) {
        Path copy = services.storage().findImage(pool, image).map(h -> services.storage().rbdSnapshots(h).resolve(snap))
                .filter(Files::isDirectory).orElseThrow(() -> new Sandbox.UnknownNameException(
                        "no rbd snapshot " + pool + "/" + image + "@" + snap));
        ControlFileDamage.damage(copy);
        services.timeline().record("rbd-snapshot", pool + "/" + image + "@" + snap, "Corrupted");
    }

    /** Adds a node: a new kubelet registers it and starts heartbeating. */
    public synchronized Kubelet addNode(String name) {
        if (kubelets.containsKey(name)) {
            throw new IllegalArgumentException("node " + name + " exists");
        }
        int n = kubelets.size() + 1;
        Kubelet kubelet = new Kubelet(name, "192.168." + (10 + n / 250) + "." + (n % 250 + 1), services);
        kubelet.register();
        // What an administrator sets on each node (see Names): the sandbox stands for one.
        annotate(name, Names.BMC_ADDRESS_ANNOTATION, httpApiUrl.get() + "/redfish/v1/Systems/" + name);
        kubelets.put(name, kubelet);
        long interval = services.config().heartbeatInterval().toMillis();
        leaseRenewals.put(name, heartbeats.scheduleAtFixedRate(kubelet::renewLease,
                ThreadLocalRandom.current().nextLong(interval), interval, TimeUnit.MILLISECONDS));
        return kubelet;
    }

    private void annotate(String node, String key, String value) {
        var patch = Json.MAPPER.createObjectNode();
        patch.putObject("metadata").putObject("annotations").put(key, value);
        services.client().nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    /** Removes a node: its machine is switched off and its Node object deleted, as when a node is decommissioned. */
    public synchronized void removeNode(String name) {
        Kubelet kubelet = kubelet(name);
        kubelet.powerOff();
        Optional.ofNullable(leaseRenewals.remove(name)).ifPresent(f -> f.cancel(false));
        kubelets.remove(name);
        KubernetesClient client = services.client();
        client.nodes().withName(name).delete();
        services.timeline().record("node", name, "Removed");
    }

    List<PostgresProcess> writersOf(String volume) {
        List<PostgresProcess> writers = new ArrayList<>();
        kubelets.values().forEach(k -> writers.addAll(k.postgresOn(volume)));
        return writers;
    }

    void killAll() {
        kubelets.values().forEach(Kubelet::killAll);
    }
}
