package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.postgres.NodeStorage;
import io.pgwarden.sandbox.postgres.UnsyncedWrites;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node's container runtime: what runs a pod's container, and the images the node holds. A managed pod with one
 * claim runs a real PostgreSQL on its volume; anything else is a sleeping container.
 */
final class ContainerRuntime {
    private final String node;
    private final NodeServices services;
    private final Set<String> images = ConcurrentHashMap.newKeySet();
    private final Path blocklistFlag;
    private final Path unsyncedWrites;

    ContainerRuntime(String node, NodeServices services) {
        this.node = node;
        this.services = services;
        this.blocklistFlag = services.storage().root().resolve("blocklisted").resolve(node);
        NodeStorage.set(blocklistFlag, false); // a node boots unfenced, whatever an earlier run left
        this.unsyncedWrites = UnsyncedWrites.journal(services.storage().root(), node);
    }

    /** Starts the pod's container; the caller probes it. */
    Container start(Pod pod, List<String> volumes) throws IOException {
        boolean postgres = "true".equals(pod.getMetadata().getLabels().get(Names.MANAGED_LABEL)) && volumes.size() == 1;
        if (!postgres) {
            return new SleepContainer();
        }
        String volume = volumes.get(0);
        return PostgresContainer.start(services.postgresBin(), services.storage().volume(volume), freePort(),
                services.storage().logs(node).resolve(pod.getMetadata().getName() + ".log"),
                new PostgresContainer.Writer(volume, node, PodStatuses.key(pod), pod.getMetadata().getUid()),
                NodeStorage.environment(services.storage().root().resolve("volumes"), blocklistFlag, unsyncedWrites),
                services.processes(), services.recorder());
    }

    /** The node lost power, its processes are dead: the writes no fsync covered are lost. */
    void powerCut() {
        UnsyncedWrites.lose(unsyncedWrites);
    }

    /** The node's client is blocklisted (or no more): its servers' volume I/O fails while the flag exists. */
    void blocklisted(boolean blocklisted) {
        NodeStorage.set(blocklistFlag, blocklisted);
    }

    /** Once a container of the image ran here, the node lists the image in its status (ImageLocality scores it). */
    void pulled(String image) {
        images.add(image);
    }

    Set<String> images() {
        return Set.copyOf(images);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
