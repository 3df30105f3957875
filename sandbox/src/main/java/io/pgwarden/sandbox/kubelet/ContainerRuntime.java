package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.contracts.Names;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

    ContainerRuntime(String node, NodeServices services) {
        this.node = node;
        this.services = services;
    }

    /** Starts the pod's container; the caller probes it. */
    Container start(Pod pod, List<String> volumes) throws IOException {
        boolean postgres = "true".equals(pod.getMetadata().getLabels().get(Names.MANAGED_LABEL)) && volumes.size() == 1;
        if (!postgres) {
            return new SleepContainer();
        }
        String volume = volumes.get(0);
        return PostgresContainer.start(services.postgresBin(), services.storage().volume(volume), freePort(),
                services.storage().logs(node).resolve(pod.getMetadata().getName() + ".log"), node,
                PodStatuses.key(pod), volume, services.processes(), services.recorder());
    }

    /**
     * NodeStageVolume (rbd map, mount on the staging path) and NodePublishVolume (bind mount into the pod) of the
     * pod's volumes, which take {@code mountTime} each; the pod stays ContainerCreating meanwhile.
     */
    void mount(List<String> volumes) throws InterruptedException {
        Thread.sleep(services.config().scaled(services.config().timings().mountTime()).multipliedBy(volumes.size())
                .toMillis());
    }

    boolean hasImage(String image) {
        return images.contains(image);
    }

    /** Pulls an image the node lacks ({@code pkg/kubelet/images/image_manager.go}); the node lists it from then on. */
    void pull(String image) throws InterruptedException {
        Thread.sleep(services.config().scaled(services.config().timings().imagePullTime()).toMillis());
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
