package io.pgwarden.sandbox.kubelet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every live PostgreSQL launcher the sandbox started, so that none outlives it. */
public final class ProcessRegistry {
    private final Map<Long, Process> processes = new ConcurrentHashMap<>();

    void register(Process launcher) {
        processes.put(launcher.pid(), launcher);
    }

    void unregister(long pid) {
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
}
