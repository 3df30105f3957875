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
        for (Process launcher : processes.values()) {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        // Each launcher reaps its postmaster and exits; killed before, it would leave a zombie behind.
        for (Process launcher : processes.values()) {
            try {
                if (!launcher.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    launcher.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
