package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.sandbox.postgres.NodeStorage;
import io.pgwarden.sandbox.postgres.PostgresLayout;
import io.pgwarden.sandbox.postgres.UnsyncedWrites;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node's container runtime: what runs a pod's container, and the images the node holds. A PostgreSQL pod runs a
 * real PostgreSQL on its claim, a container with a command a real process; anything else is a sleeping container.
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

    /**
     * Starts the pod's container; the caller probes it. A PostgreSQL image without a command runs PostgreSQL on its
     * claims ({@link PostgresPods}); a container with a command runs it ({@link CommandContainer}); anything else
     * sleeps. {@code volumes} are the handles of the pod's claims, in the order of its volumes.
     */
    Container start(Pod pod, List<String> volumes) throws IOException {
        var container = pod.getSpec().getContainers().get(0);
        Map<String, String> handles = claimHandles(pod, volumes);
        List<PostgresPods.Mount> mounts = new ArrayList<>();
        Map<String, String> handleAt = new LinkedHashMap<>();
        for (var mount : container.getVolumeMounts()) {
            String handle = handles.get(mount.getName());
            if (handle != null) {
                Path dir = services.storage().volume(handle);
                mounts.add(new PostgresPods.Mount(mount.getMountPath(), mount.getSubPath() == null
                        || mount.getSubPath().isEmpty() ? dir : dir.resolve(mount.getSubPath())));
                handleAt.put(mount.getMountPath(), handle);
            }
        }
        Path log = services.storage().logs(node).resolve(pod.getMetadata().getName() + ".log");
        boolean hasCommand = container.getCommand() != null && !container.getCommand().isEmpty();
        Optional<PostgresLayout> postgres = hasCommand ? Optional.empty() : PostgresPods.layout(pod, mounts);
        if (postgres.isPresent()) {
            // the writer of record is the data directory's volume; a WAL claim's server is the same process
            String dataVolume = handleAt.get(postgres.get().mountPathOf(postgres.get().pgdata()).orElseThrow());
            return PostgresContainer.start(services.postgresBin(), postgres.get(), freePort(), log,
                    new PostgresContainer.Writer(dataVolume, node, PodStatuses.key(pod),
                            pod.getMetadata().getUid()),
                    NodeStorage.environment(services.storage().root().resolve("volumes"), blocklistFlag, unsyncedWrites),
                    services.processes(), services.recorder());
        }
        if (hasCommand) {
            Map<Path, String> binds = new LinkedHashMap<>();
            mounts.forEach(m -> binds.put(m.directory(), m.mountPath()));
            Map<String, String> env = new LinkedHashMap<>();
            if (container.getEnv() != null) {
                container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
            }
            env.put("PATH", services.storage().bin() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            List<String> command = new ArrayList<>(container.getCommand());
            if (container.getArgs() != null) {
                command.addAll(container.getArgs());
            }
            CommandContainer started = CommandContainer.start(command, binds, env, container.getWorkingDir(), log);
            services.processes().register(started.process());
            return started;
        }
        return new SleepContainer();
    }

    /** The node lost power, its processes are dead: the writes no fsync covered are lost. */
    void powerCut() {
        UnsyncedWrites.lose(unsyncedWrites);
    }

    /** The node's client is blocklisted (or no more): its servers' volume I/O fails while the flag exists. */
    void blocklisted(boolean blocklisted) {
        NodeStorage.set(blocklistFlag, blocklisted);
    }

    /** The pod's claim volumes by name, with the handles the kubelet resolved for them. */
    private static Map<String, String> claimHandles(Pod pod, List<String> handles) {
        Map<String, String> byName = new LinkedHashMap<>();
        int i = 0;
        for (var volume : pod.getSpec().getVolumes()) {
            if (volume.getPersistentVolumeClaim() != null && i < handles.size()) {
                byName.put(volume.getName(), handles.get(i++));
            }
        }
        return byName;
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
