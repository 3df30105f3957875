package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.sandbox.postgres.PostgresProcess;
import io.pgwarden.sandbox.postgres.NodeStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a kubelet runs for one pod object, as the kubelet's pod workers do: start its container, probe it, restart it
 * when it dies (restartPolicy Always, CrashLoopBackOff), stop it within the grace period, and post its status.
 */
final class PodWorker {
    private static final Logger LOG = Logger.getLogger(PodWorker.class.getName());
    private static final long MINIMUM_GRACE_SECONDS = 2;

    final String uid;
    final String namespace;
    final String name;
    final List<String> volumes;
    /** The pod's terminationGracePeriodSeconds, which the kubelet keeps with the container (a container label). */
    final Long terminationGracePeriodSeconds;
    private final Kubelet node;
    private final ContainerRuntime runtime;
    private final NodeServices services;
    private volatile Container container;
    private volatile String podIp;
    private volatile Instant startedAt;
    private volatile int restarts;
    private volatile boolean starting;
    private volatile boolean stopped;
    private volatile boolean mounted;
    private volatile Instant restartNotBefore;
    private volatile boolean finished;
    /** The pod as the kubelet last saw it on the API server: what it runs from while cut off. */
    private volatile Pod spec;

    PodWorker(Pod pod, List<String> volumes, Kubelet node, ContainerRuntime runtime, NodeServices services) {
        this.uid = pod.getMetadata().getUid();
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.volumes = volumes;
        this.spec = pod;
        this.terminationGracePeriodSeconds = pod.getSpec().getTerminationGracePeriodSeconds();
        this.node = node;
        this.runtime = runtime;
        this.services = services;
    }

    boolean isStopped() {
        return stopped;
    }

    /** Its container ended for good (restartPolicy Never or OnFailure): the pod is Succeeded or Failed. */
    boolean isFinished() {
        return finished;
    }

    /** The pod is being deleted: nothing restarts its container any more. */
    void stopping() {
        stopped = true;
    }

    /** A pass over a running pod: restart a dead container when its back-off allows, then post the status. */
    void sync(Pod pod) {
        spec = pod;
        Container c = container;
        if (finished) {
            return;
        }
        boolean blocklisted = node.isFenced() && !volumes.isEmpty();
        if (c != null && !starting && !c.isRunning() && !stopped && !blocklisted) {
            OptionalInt exitCode = c.exitCode();
            if (exitCode.isPresent() && !restarts(pod, exitCode.getAsInt())) {
                finish(pod, exitCode.getAsInt());
                return;
            }
            Instant now = services.clock().instant();
            if (restartNotBefore == null) {
                services.timeline().record("pod", PodStatuses.key(pod), "ContainerDied on " + node.name());
                restartNotBefore = now.plus(services.config().scaled(CrashLoopBackOff.delay(restarts)));
            }
            if (!now.isBefore(restartNotBefore)) {
                restarts++;
                restartNotBefore = null;
                start(pod);
            }
        }
        node.post(pod, PodStatuses.running(pod, node.internalIp(), "sandbox://" + uid + "/" + restarts,
                c != null && c.isRunning(), c != null && c.isReady() && !starting, startedAt, restarts, podIp,
                services.clock().instant()));
    }

    /** The kubelet's restart decision by the pod's restartPolicy (Always unless set). */
    static boolean restarts(Pod pod, int exitCode) {
        String policy = pod.getSpec().getRestartPolicy();
        return policy == null || "Always".equals(policy) || ("OnFailure".equals(policy) && exitCode != 0);
    }

    private void finish(Pod pod, int exitCode) {
        finished = true;
        if (podIp != null) {
            services.network().release(podIp);
        }
        node.finished(this);
        node.post(pod, PodStatuses.terminated(pod, node.internalIp(), "sandbox://" + uid + "/" + restarts, exitCode,
                startedAt, services.clock().instant(), restarts, PodStatuses.messageFromLog(pod, exitCode) ? PodStatuses.logTail(log(pod)) : null));
        services.timeline().record("pod", PodStatuses.key(pod), (exitCode == 0 ? "Succeeded" : "Failed (exit code "
                + exitCode + ")") + " on " + node.name());
    }

    /** The container's output so far, as the node's log directory holds it ("" if none). */
    private String log(Pod pod) {
        Path log = services.storage().logs(node.name()).resolve(pod.getMetadata().getName() + ".log");
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** A pass without the API server: the last-known spec, and the status is not posted. */
    void resync() {
        sync(spec);
    }

    /** Starts the container in the background and probes it until it is ready, dies or the pod is stopped. */
    void start(Pod pod) {
        starting = true;
        services.workers().submit(() -> {
            try {
                if (podIp != null) {
                    services.network().release(podIp);
                }
                if (!mounted) {
                    runtime.mount(volumes);
                    mounted = true;
                }
                ensureImage(pod);
                if (stopped || !node.isPowered()) {
                    return;
                }
                Container started = runtime.start(pod, volumes);
                container = started;
                started.onExit(() -> node.podChanged(this));
                if (stopped || !node.isPowered()) {
                    started.kill(); // the node lost power or the pod was stopped while the process was starting
                    return;
                }
                podIp = services.network().allocate(node.name(), started.port());
                startedAt = services.clock().instant();
                node.podChanged(this);
                if (started instanceof PostgresContainer pg) {
                    for (int i = 0; i < 600 && pg.isRunning() && !pg.probe() && !stopped; i++) {
                        Thread.sleep(100);
                    }
                }
                services.timeline().record("pod", namespace + "/" + name,
                        (started.isReady() ? "Ready" : "NotReady") + " on " + node.name());
            } catch (RuntimeException | InterruptedException | IOException e) {
                // Interrupted: the sandbox is closing. Anything else is a real failure the user should see.
                boolean closing = e instanceof InterruptedException || Thread.currentThread().isInterrupted();
                LOG.log(closing ? Level.FINE : Level.WARNING, "cannot start pod " + name + " on " + node.name(), e);
            } finally {
                starting = false;
                node.podChanged(this); // the probe's result, or a start that failed
            }
        });
    }

    /** EnsureImageExists with the IfNotPresent policy: a pull, with its Events, only when the node lacks the image. */
    private void ensureImage(Pod pod) throws InterruptedException {
        String image = PodStatuses.image(pod);
        if (runtime.hasImage(image)) {
            node.event(pod, "Pulled", "Container image \"" + image + "\" already present on machine");
            return;
        }
        node.event(pod, "Pulling", "Pulling image \"" + image + "\"");
        long start = System.nanoTime();
        runtime.pull(image);
        String took = String.format(java.util.Locale.ROOT, "%.3fs", (System.nanoTime() - start) / 1e9);
        node.event(pod, "Pulled", "Successfully pulled image \"" + image + "\" in " + took + " (" + took
                + " including waiting)");
    }

    /** Stops the container: killed at once with no grace period (a power cut), else stopped within it. */
    void terminate(Duration grace) {
        Container c = container;
        stopped = true;
        if (c != null) {
            if (grace.isZero()) {
                c.kill();
            } else {
                c.stop(grace);
            }
        }
        if (podIp != null) {
            services.network().release(podIp);
        }
    }

    /** SIGKILL of the container, as a crash; the next pass restarts it. */
    boolean kill() {
        Container c = container;
        if (c == null) {
            return false;
        }
        c.kill();
        return true;
    }

    /**
     * The node's storage client was blocklisted or is no more. PostgreSQL's volume I/O fails while it is (it PANICs
     * at its next WAL write or fsync); where the machine cannot fail I/O, the server is killed instead.
     */
    void writeAccess(boolean granted) {
        if (container instanceof PostgresContainer pg) {
            if (granted) {
                pg.writeAccessRegained();
            } else if (NodeStorage.failsIo()) {
                pg.writeAccessLost();
            } else {
                pg.kill();
            }
        }
    }

    /**
     * The grace period a kubelet gives a container it kills, in seconds (killContainer and
     * setTerminationGracePeriod, kubernetes {@code pkg/kubelet/kuberuntime/kuberuntime_container.go}): the pod's
     * deletion grace period if the kubelet saw one, else its spec's terminationGracePeriodSeconds (restored from
     * the container's labels when the API server no longer has the pod), and never less than
     * minimumGracePeriodInSeconds, 2.
     */
    static long killGraceSeconds(Long deletionGracePeriodSeconds, Long terminationGracePeriodSeconds) {
        long grace = deletionGracePeriodSeconds != null ? deletionGracePeriodSeconds
                : terminationGracePeriodSeconds != null ? terminationGracePeriodSeconds : MINIMUM_GRACE_SECONDS;
        return Math.max(MINIMUM_GRACE_SECONDS, grace);
    }

    Optional<PostgresProcess> postgresOn(String volume) {
        return volumes.contains(volume) && container instanceof PostgresContainer pg && pg.isRunning()
                ? Optional.of(pg.process()) : Optional.empty();
    }
}
