package io.pgwarden.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One replica's candidacy for a {@code coordination.k8s.io/v1} Lease, with Fabric8's {@link LeaderElector}:
 *
 * <ul>
 *   <li>the elector acquires the Lease, renews it every retry period and, when this replica stops
 *       ({@link #close()}), releases it ({@code releaseOnCancel}) so a standby takes over at its next try instead
 *       of after the lease duration. (Fabric8 7.6 writes the release as a JSON merge patch that leaves out the
 *       null holder, so the Lease keeps naming this replica with a 1 s duration: a standby takes it at its first
 *       try after that second.)</li>
 *   <li>an elector ends when a renewal fails for the renew deadline or another replica holds the Lease; a new one
 *       then competes again after a retry period, so a replica that was cut off becomes a standby, not a
 *       bystander;</li>
 *   <li>whether this replica leads is its {@link LeaseTerm}: from each successful write of the Lease naming it
 *       until the renew deadline, however long a request to a dead API server hangs;</li>
 *   <li>every change is reported to the listener, in order, on one event thread.</li>
 * </ul>
 *
 * <p>Plain Java over a Fabric8 client; {@link Leadership} is its CDI face.
 */
final class LeaseElection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaseElection.class);

    /** What the election competes for and its timings (see {@link LeaderElectionConfig}). */
    record Settings(String namespace, String leaseName, String identity, Duration leaseDuration,
                    Duration renewDeadline, Duration retryPeriod) {
        Settings {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(leaseName, "leaseName");
            Objects.requireNonNull(identity, "identity");
        }

        String lease() {
            return namespace + "/" + leaseName;
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final Clock clock;
    private final Consumer<LeadershipChanged> listener;
    private final LeaseTerm term;
    /** Runs the elector's requests, which block. */
    private final ExecutorService electorThread;
    /** Reports changes and restarts electors, in order; never blocks on the API server. */
    private final ScheduledExecutorService events;

    private volatile String holder;
    private boolean closed;
    private CompletableFuture<?> running;
    /** Event thread only. */
    private boolean reported;
    private ScheduledFuture<?> expiryCheck;

    /**
     * @param client   a client of the API server; the election uses it with its own request timeout (half the
     *                 renew deadline) and no retries, so one attempt cannot outlast the deadline several times
     * @param clock    the wall clock (the elector compares Lease times with the system clock)
     * @param listener hears every change of {@link #isLeader()}, on the event thread
     */
    LeaseElection(KubernetesClient client, Settings settings, Clock clock, Consumer<LeadershipChanged> listener) {
        RequestConfig requests = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestTimeout((int) settings.renewDeadline().dividedBy(2).toMillis())
                .withRequestRetryBackoffLimit(0)
                .build();
        this.client = client.newClient(requests).adapt(KubernetesClient.class);
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.term = new LeaseTerm(settings.renewDeadline());
        this.electorThread = Executors.newSingleThreadExecutor(daemon("leader-election-" + settings.leaseName()));
        this.events = Executors.newSingleThreadScheduledExecutor(daemon("leader-election-events-" + settings.leaseName()));
    }

    void start() {
        submit(this::runElector);
    }

    boolean isLeader() {
        return term.leading(clock.instant());
    }

    String identity() {
        return settings.identity();
    }

    Settings settings() {
        return settings;
    }

    /** The holder this replica last saw in the Lease, if any. */
    Optional<String> holder() {
        return Optional.ofNullable(holder);
    }

    /**
     * Stops leading at once, then releases the Lease if this replica holds it (Fabric8 does that while the elector
     * is cancelled, before this returns) and stops the threads.
     */
    @Override
    public void close() {
        CompletableFuture<?> elector;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            elector = running;
        }
        term.close();
        submit(this::evaluate);
        if (elector != null) {
            elector.cancel(true);
        }
        events.shutdown();
        try {
            if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        electorThread.shutdownNow();
    }

    /** Event thread: one elector competes until it ends, then the next one after a retry period. */
    private void runElector() {
        CompletableFuture<?> elector;
        synchronized (this) {
            if (closed) {
                return;
            }
            LeaderElector leaderElector = new LeaderElectorBuilder(client, electorThread).withConfig(
                    new LeaderElectionConfigBuilder()
                            .withName(settings.leaseName())
                            .withLock(new TrackingLock())
                            .withLeaseDuration(settings.leaseDuration())
                            .withRenewDeadline(settings.renewDeadline())
                            .withRetryPeriod(settings.retryPeriod())
                            .withReleaseOnCancel(true)
                            .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                                    this::newLeader))
                            .build())
                    .build();
            running = leaderElector.start();
            elector = running;
        }
        elector.whenComplete((ignored, failure) -> {
            term.ended();
            submit(this::evaluate);
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            if (failure != null) {
                LOG.warnf(failure, "leader election for Lease %s ended; competing again in %s", settings.lease(),
                        settings.retryPeriod());
            } else {
                LOG.infof("leader election for Lease %s ended (lost or not renewed); competing again in %s",
                        settings.lease(), settings.retryPeriod());
            }
            schedule(this::runElector, settings.retryPeriod());
        });
    }

    private void startedLeading() {
        submit(this::evaluate);
    }

    private void stoppedLeading() {
        term.ended();
        submit(this::evaluate);
    }

    private void newLeader(String identity) {
        holder = identity;
        LOG.infof("Lease %s: held by %s (this replica is %s)", settings.lease(), identity == null ? "nobody (released)" : identity,
                settings.identity());
    }

    /** Event thread: reports a change of {@link #isLeader()} and checks again when the term runs out. */
    private void evaluate() {
        Instant now = clock.instant();
        boolean leading = term.leading(now);
        if (leading != reported) {
            reported = leading;
            if (leading) {
                LOG.infof("leading: holds Lease %s as %s", settings.lease(), settings.identity());
            } else {
                LOG.infof("not leading: %s no longer holds Lease %s", settings.identity(), settings.lease());
            }
            try {
                listener.accept(new LeadershipChanged(leading, settings.identity()));
            } catch (RuntimeException e) {
                LOG.errorf(e, "a LeadershipChanged observer failed");
            }
        }
        if (expiryCheck != null) {
            expiryCheck.cancel(false);
            expiryCheck = null;
        }
        if (leading) {
            term.expiry().ifPresent(at -> expiryCheck = schedule(this::evaluate,
                    Duration.between(now, at).plusMillis(1)));
        }
    }

    private void submit(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: the final change was reported already
        }
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return events.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Fabric8's Lease lock, telling the term about every successful write: a write naming this replica renews the
     * term from the moment its attempt started (the read before it), any other write (the release) ends it.
     */
    private final class TrackingLock extends LeaseLock {
        private Instant attemptStartedAt;

        TrackingLock() {
            super(settings.namespace(), settings.leaseName(), settings.identity());
        }

        @Override
        public synchronized LeaderElectionRecord get(KubernetesClient kubernetes) {
            attemptStartedAt = clock.instant();
            return super.get(kubernetes);
        }

        @Override
        public synchronized void create(KubernetesClient kubernetes, LeaderElectionRecord leaderElectionRecord) {
            super.create(kubernetes, leaderElectionRecord);
            written(leaderElectionRecord);
        }

        @Override
        public synchronized void update(KubernetesClient kubernetes, LeaderElectionRecord leaderElectionRecord) {
            super.update(kubernetes, leaderElectionRecord);
            written(leaderElectionRecord);
        }

        private void written(LeaderElectionRecord leaderElectionRecord) {
            if (settings.identity().equals(leaderElectionRecord.getHolderIdentity())) {
                term.renewed(attemptStartedAt == null ? clock.instant() : attemptStartedAt);
            } else {
                term.ended();
            }
            submit(LeaseElection.this::evaluate);
        }
    }
}
