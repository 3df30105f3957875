package io.pgwarden.local;

import io.pgwarden.sandbox.kubelet.CrashLoopBackOff;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * When the launcher restarts one of its service processes, decided as a kubelet decides for a container of a
 * pod with {@code restartPolicy: Always}; no I/O, the clock injected. The launcher reports what it sees (started,
 * a liveness probe's result, an exit) and gets a verdict: keep going, or restart after a delay.
 * <ul>
 *   <li><b>Exit.</b> A process that exits is restarted.</li>
 *   <li><b>Liveness.</b> {@code GET /q/health/live} every {@code probePeriod}; an answer outside 200-399, no
 *       answer, or none within {@code probeTimeout} is a failure. {@code failureThreshold} failures in a row and
 *       the process is stopped and restarted; a success in between starts the count over
 *       ({@code pkg/kubelet/prober/worker.go}, {@code doProbe}: {@code resultRun} against
 *       {@code FailureThreshold}).</li>
 *   <li><b>Start-up.</b> A process that just started is not held to its liveness until it first answers live, as
 *       liveness waits for a startup probe; one that does not within {@code startupLimit} is restarted (a startup
 *       probe's {@code failureThreshold × periodSeconds}).</li>
 *   <li><b>Back-off.</b> The first restart at once, then 10 s doubling up to 5 min ({@link CrashLoopBackOff}, the
 *       sandbox kubelet's rule, {@code backOffPeriod}/{@code MaxContainerBackOff} in
 *       {@code pkg/kubelet/kubelet.go}); the back-off starts over when the process ran for more than twice the
 *       cap, 10 min, since its last restart ({@code hasExpired} in {@code client-go/util/flowcontrol/backoff.go}:
 *       "consider stable if it's ok for twice the maxDuration").</li>
 * </ul>
 * Not thread-safe: one supervisor thread owns it.
 */
public final class RestartPolicy {

    /**
     * How a service is watched; the kubelet's probe fields, with the local run's defaults.
     *
     * @param enabled          false: the launcher watches nothing and restarts nothing
     * @param probePeriod      {@code periodSeconds} of the liveness probe
     * @param failureThreshold {@code failureThreshold}: consecutive failed probes before a restart
     * @param probeTimeout     {@code timeoutSeconds}: an answer later than this is a failure
     * @param startupLimit     how long a (re)started process may take to answer live for the first time
     * @param stopGrace        {@code terminationGracePeriodSeconds}: SIGTERM, then SIGKILL after this
     */
    public record Settings(boolean enabled, Duration probePeriod, int failureThreshold, Duration probeTimeout,
                           Duration startupLimit, Duration stopGrace) {

        public Settings {
            Objects.requireNonNull(probePeriod, "probePeriod");
            Objects.requireNonNull(probeTimeout, "probeTimeout");
            Objects.requireNonNull(startupLimit, "startupLimit");
            Objects.requireNonNull(stopGrace, "stopGrace");
            if (failureThreshold < 1 || probePeriod.isNegative() || probePeriod.isZero()) {
                throw new IllegalArgumentException("need failureThreshold >= 1 and a positive probePeriod");
            }
        }

        /**
         * Liveness every 5 s, restart after 3 failures in a row (15 s), 2 s to answer, 180 s to start (the
         * launcher's own ready timeout), 10 s to stop. The kubelet's defaults are 10 s and 1 s; four services and a
         * broker on two cores answer a probe late more often than a pod on a node does.
         */
        public static Settings defaults() {
            return new Settings(true, Duration.ofSeconds(5), 3, Duration.ofSeconds(2), Duration.ofSeconds(180),
                    Duration.ofSeconds(10));
        }

        public static Settings disabled() {
            return new Settings(false, Duration.ofSeconds(5), 3, Duration.ofSeconds(2), Duration.ofSeconds(180),
                    Duration.ofSeconds(10));
        }

        public Settings withProbes(Duration period, int threshold) {
            return new Settings(enabled, period, threshold, probeTimeout, startupLimit, stopGrace);
        }
    }

    /** What the launcher does now. */
    public sealed interface Verdict permits Keep, Restart {
    }

    /** Nothing to do. */
    public record Keep() implements Verdict {
    }

    /**
     * Restart the service: stop it if it still runs, wait {@code delay}, start it again.
     *
     * @param reason   why, for people: the exit code, or since when liveness fails
     * @param restarts how many restarts this one makes, as {@code kubectl get pods} counts them
     * @param kill     the process still runs and must be stopped first
     */
    public record Restart(String reason, Duration delay, int restarts, boolean kill) implements Verdict {
    }

    private static final Keep KEEP = new Keep();

    private enum Phase { STARTING, RUNNING, RESTARTING }

    private final Settings settings;
    private final Clock clock;
    private Phase phase = Phase.RESTARTING;
    private Instant startedAt;
    private int consecutiveFailures;
    private Instant failingSince;
    private int restarts;
    private int backOffSteps;

    public RestartPolicy(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** The process (re)started now; it has {@code startupLimit} to answer live. */
    public void started() {
        phase = Phase.STARTING;
        startedAt = clock.instant();
        consecutiveFailures = 0;
        failingSince = null;
    }

    /** The process started and is known to answer (the launcher waited for it to be ready): held to its liveness now. */
    public void startedLive() {
        started();
        phase = Phase.RUNNING;
    }

    /** A liveness probe's result; {@code detail} says what it got (an HTTP status, a timeout, a refusal). */
    public Verdict probed(boolean live, String detail) {
        Instant now = clock.instant();
        switch (phase) {
            case RESTARTING:
                return KEEP;
            case STARTING:
                if (live) {
                    phase = Phase.RUNNING;
                    return KEEP;
                }
                if (Duration.between(startedAt, now).compareTo(settings.startupLimit()) >= 0) {
                    return restart("did not answer live within " + seconds(settings.startupLimit())
                            + " of its start (last probe: " + detail + ")", now, true);
                }
                return KEEP;
            default:
                if (live) {
                    consecutiveFailures = 0;
                    failingSince = null;
                    return KEEP;
                }
                consecutiveFailures++;
                if (failingSince == null) {
                    failingSince = now;
                }
                if (consecutiveFailures >= settings.failureThreshold()) {
                    return restart("liveness failing since " + clockTime(failingSince) + " ("
                            + consecutiveFailures + " probes in a row, every " + seconds(settings.probePeriod())
                            + "; last: " + detail + ")", now, true);
                }
                return KEEP;
        }
    }

    /** The process exited with {@code code}; 128 + n is death by signal n, as a shell reports it. */
    public Verdict exited(int code) {
        String how = code > 128 && code < 160 ? " (signal " + (code - 128) + ")" : "";
        return restart("exited with code " + code + how, clock.instant(), false);
    }

    /** How many times the service was restarted so far. */
    public int restarts() {
        return restarts;
    }

    private Verdict restart(String reason, Instant now, boolean kill) {
        if (restarts > 0 && startedAt != null && Duration.between(startedAt, now).compareTo(CrashLoopBackOff.max().multipliedBy(2)) > 0) {
            backOffSteps = 0;
        }
        Duration delay = CrashLoopBackOff.delay(backOffSteps);
        backOffSteps++;
        restarts++;
        phase = Phase.RESTARTING;
        return new Restart(reason, delay, restarts, kill);
    }

    private String clockTime(Instant instant) {
        ZoneId zone = clock.getZone();
        return LocalTime.ofInstant(instant, zone).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
