package io.pgwarden.sandbox.kubelet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Every live container process the sandbox started (PostgreSQL launchers, commands), so that none outlives it. */
public final class ProcessRegistry {
    private final Map<Long, Process> processes = new ConcurrentHashMap<>();

    void register(Process process) {
        processes.put(process.pid(), process);
        process.onExit().thenRun(() -> unregister(process.pid()));
    }

    void unregister(long pid) {
        processes.remove(pid);
    }

    /** Kills every process still alive: the last step of closing a sandbox, so none outlives it. */
    public void killAll() {
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        // A launcher reaps its postmaster and exits; killed before, it would leave a zombie behind.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
