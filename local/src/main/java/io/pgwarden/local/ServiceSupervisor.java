package io.pgwarden.local;

import io.pgwarden.local.RestartPolicy.Restart;
import io.pgwarden.local.RestartPolicy.Verdict;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Keeps one service process running, as a kubelet keeps a container: waits for its exit or the next probe
 * period, probes its liveness, and carries out {@link RestartPolicy}'s verdicts (stop, wait, start again). All
 * decisions are the policy's; this class only waits, probes, stops, starts and reports. The process handed over
 * must be ready (the launcher waited for it): it is held to its liveness from the first probe.
 * <p>
 * Stopping wins over restarting: {@link #stop()} sets a flag under the same lock a restart takes to start the
 * new process, so after {@code stop()} returns no process is started, and the one started just before is
 * {@link #current()}, for the caller to stop.
 */
final class ServiceSupervisor {

    /** Where the supervisor says what it does. */
    interface Report {
        void restarting(String service, Restart restart);

        void restarted(String service, ServiceProcess process, int restarts);

        void couldNotStart(String service, RuntimeException failure);
    }

    /** How long a service stopped by SIGINT or SIGTERM waits for the launcher's own stop before a restart. */
    private static final Duration SIGNAL_SETTLE = Duration.ofSeconds(1);

    private final RestartPolicy policy;
    private final RestartPolicy.Settings settings;
    private final Report report;
    private final Runnable onStarted;
    private final Object lock = new Object();
    private final Thread thread;
    /** Written under {@link #lock}; read without it, so readers never wait for a restart in progress. */
    private volatile ServiceProcess current;
    /** Guarded by {@link #lock}. */
    private boolean stopping;

    /**
     * @param onStarted run under the lock right after a new process started (the launcher records its pid)
     */
    ServiceSupervisor(ServiceProcess initial, RestartPolicy.Settings settings, Clock clock, Report report,
                      Runnable onStarted) {
        this.current = initial;
        this.settings = settings;
        this.policy = new RestartPolicy(settings, clock);
        this.report = report;
        this.onStarted = onStarted;
        this.thread = new Thread(this::supervise, "pgwarden-supervise-" + initial.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The service's process now (a new one after each restart). */
    ServiceProcess current() {
        return current;
    }

    /** Restarts so far. Read by tests and reports; the supervisor thread writes it. */
    synchronized int restarts() {
        return policy.restarts();
    }

    /** No restart from now on; wakes the supervisor from any wait. Does not stop the process. */
    void stop() {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
        }
        thread.interrupt();
    }

    /** Waits for the supervisor thread to end; it ends within a probe timeout of {@link #stop()}. */
    void awaitStopped(Duration timeout) {
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean stopping() {
        synchronized (lock) {
            return stopping;
        }
    }

    private void supervise() {
        synchronized (this) {
            policy.startedLive(); // the launcher hands over processes it saw ready
        }
        try {
            while (!stopping()) {
                ServiceProcess process = current;
                Optional<Integer> exit = process.awaitExitCode(settings.probePeriod());
                if (stopping()) {
                    return;
                }
                if (exit.isEmpty()) {
                    ServiceProcess.Liveness liveness = process.probeLiveness(settings.probeTimeout());
                    // Died while being probed: that is an exit, not a failed probe.
                    exit = process.awaitExitCode(Duration.ZERO);
                    if (exit.isEmpty()) {
                        Verdict verdict;
                        synchronized (this) {
                            verdict = policy.probed(liveness.live(), liveness.detail());
                        }
                        act(process, verdict);
                        continue;
                    }
                }
                if (stoppedBySignal(exit.get()) && settle()) {
                    return;
                }
                Verdict verdict;
                synchronized (this) {
                    verdict = policy.exited(exit.get());
                }
                act(process, verdict);
            }
        } catch (InterruptedException e) {
            // stop() interrupts: nothing more to do
        }
    }

    /** SIGINT or SIGTERM from outside: Ctrl-C in the terminal reaches the services and the launcher at once. */
    private static boolean stoppedBySignal(int exitCode) {
        return exitCode == 128 + 2 || exitCode == 128 + 15;
    }

    /**
     * Gives the launcher a moment to say it is stopping too, before a service stopped by a signal is restarted;
     * true if it is stopping.
     */
    private boolean settle() throws InterruptedException {
        synchronized (lock) {
            long until = System.nanoTime() + SIGNAL_SETTLE.toNanos();
            for (long left = SIGNAL_SETTLE.toMillis(); !stopping && left > 0;
                 left = (until - System.nanoTime()) / 1_000_000) {
                lock.wait(left);
            }
            return stopping;
        }
    }

    private void act(ServiceProcess process, Verdict verdict) throws InterruptedException {
        if (!(verdict instanceof Restart restart) || stopping()) {
            return;
        }
        report.restarting(process.name(), restart);
        if (restart.kill()) {
            process.requestStop();
            process.awaitExit(settings.stopGrace());
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        ServiceProcess next;
        synchronized (lock) {
            long until = System.nanoTime() + restart.delay().toNanos();
            for (long left = restart.delay().toMillis(); !stopping && left > 0;
                 left = (until - System.nanoTime()) / 1_000_000) {
                lock.wait(left);
            }
            if (stopping) {
                return;
            }
            try {
                next = process.startAgain("restart " + restart.restarts() + ": " + restart.reason());
            } catch (RuntimeException e) {
                report.couldNotStart(process.name(), e);
                return; // the old process is still current and has exited: the next round restarts it again
            }
            current = next;
            onStarted.run();
        }
        synchronized (this) {
            policy.started();
        }
        report.restarted(next.name(), next, restart.restarts());
    }
}
