package io.pgwarden.sandbox.kubelet;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Which simulated node each live container process belongs to, and which volume a postmaster runs. */
public final class ProcessRegistry {
    private final Map<Long, String> nodes = new ConcurrentHashMap<>();
    private final Map<Long, Process> processes = new ConcurrentHashMap<>();
    private final Map<Long, String> volumes = new ConcurrentHashMap<>();

    /** A process of the node; {@code volume} is the handle a postmaster runs, null for other processes. */
    void register(Process process, String node, String volume) {
        nodes.put(process.pid(), node);
        processes.put(process.pid(), process);
        if (volume != null) {
            volumes.put(process.pid(), volume);
        }
        process.onExit().thenRun(() -> unregister(process.pid()));
    }

    void unregister(long pid) {
        nodes.remove(pid);
        processes.remove(pid);
        volumes.remove(pid);
    }

    Optional<String> volumeOf(long pid) {
        return Optional.ofNullable(volumes.get(pid));
    }

    /** Kills every process still alive: the last step of closing a sandbox, so none outlives it. */
    public void killAll() {
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    Optional<String> nodeOf(long pid) {
        return Optional.ofNullable(nodes.get(pid));
    }
}
