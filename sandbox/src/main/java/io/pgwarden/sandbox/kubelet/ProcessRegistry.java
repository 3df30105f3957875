package io.pgwarden.sandbox.kubelet;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Which simulated node each live PostgreSQL process belongs to. */
public final class ProcessRegistry {
    private final Map<Long, String> nodes = new ConcurrentHashMap<>();
    private final Map<Long, Process> processes = new ConcurrentHashMap<>();

    void register(Process process, String node) {
        nodes.put(process.pid(), node);
        processes.put(process.pid(), process);
    }

    void unregister(long pid) {
        nodes.remove(pid);
        processes.remove(pid);
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
