package io.pgwarden.sandbox.kubelet;

/** What a simulated container runtime runs for a pod. */
interface Container {
    boolean isRunning();

    boolean isReady();

    /** The port its process listens on, 0 when it listens on none. */
    int port();

    /** The exit code once the container's process has ended; empty while it runs or for a simulated container. */
    default java.util.OptionalInt exitCode() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Runs {@code action} once the container has ended, as PLEG reports ContainerDied (a real kubelet's generic PLEG
     * notices within its 1 s relist, genericPlegRelistPeriod in {@code pkg/kubelet/kubelet.go}; here at once).
     */
    void onExit(Runnable action);

    /** SIGKILL: a crash or a power cut. */
    void kill();

    /** A container stop: the image's stop signal, then SIGKILL once the pod's grace period is over. */
    void stop(java.time.Duration gracePeriod);
}
