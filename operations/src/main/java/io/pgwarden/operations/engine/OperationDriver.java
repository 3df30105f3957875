package io.pgwarden.operations.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.leader.LeadershipChanged;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Backoff;
import io.pgwarden.operations.core.DatabaseLease;
import io.pgwarden.operations.core.DatabaseLocks;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.LockRules;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import io.pgwarden.operations.core.RunQueue;
import io.pgwarden.operations.core.Transition;
import io.pgwarden.operations.core.Transitions;
import io.pgwarden.outbox.Outbox;
import io.pgwarden.outbox.Transactions;
import io.pgwarden.service.Correlation;
import io.pgwarden.service.ServiceConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Advances operations. A dispatcher claims the due ones (oldest first, one at a time per subject) while
 * this replica leads, and hands each to a worker, which asks the operation's decider what to do, persists
 * the next phase with its statuses and activities in one transaction, and only then applies the actions.
 * An event about a subject or a new command wakes the dispatcher at once; a periodic resync covers lost
 * wake-ups and other replicas' intake.
 */
@ApplicationScoped
public class OperationDriver {
    private static final Logger LOG = Logger.getLogger(OperationDriver.class);
    private static final String LOCK_HELD = "databaseLease";

    private final DataSource dataSource;
    private final OperationStore store;
    private final Outbox outbox;
    private final OperationKinds kinds;
    private final Instance<DatabaseLocks> locks;
    private final RunnerRole role;
    private final EngineConfig config;
    private final ServiceConfig service;
    private final Clock clock;
    private final Backoff backoff;
    private final Timer wakeup;
    private final Semaphore wakeUps = new Semaphore(0);
    private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Long> pendingWakes = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastServed = new ConcurrentHashMap<>();
    private final EngineHealth health;
    private volatile boolean running;
    private ExecutorService workers;
    private ScheduledExecutorService alarms;
    private Thread dispatcher;

    public OperationDriver(DataSource dataSource, OperationStore store, Outbox outbox, OperationKinds kinds,
                           Instance<DatabaseLocks> locks, RunnerRole role, EngineConfig config,
                           ServiceConfig service, Clock clock, MeterRegistry meters, EngineHealth health) {
        this.dataSource = dataSource;
        this.store = store;
        this.outbox = outbox;
        this.kinds = kinds;
        this.locks = locks;
        this.role = role;
        this.config = config;
        this.service = service;
        this.clock = clock;
        this.health = health;
        this.backoff = new Backoff(config.retryMin(), config.retryMax());
        this.wakeup = Timer.builder("pgwarden.operation.wakeup")
                .description("From a command's or an event's arrival to its operation's decider run")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(meters);
    }

    void start(@Observes StartupEvent ignored) {
        running = true;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(config.workers(), r -> {
            Thread t = new Thread(r, "operation-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        alarms = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "operation-alarms");
            t.setDaemon(true);
            return t;
        });
        dispatcher = new Thread(this::dispatchLoop, "operation-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        LOG.infof("operation driver started as runner %s with %d workers", role.runner(), config.workers());
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
        wakeUps.release();
        if (alarms != null) {
            alarms.shutdownNow();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** This replica started leading: run what is due now rather than at the next resync. */
    void leadershipChanged(@Observes LeadershipChanged change) {
        LOG.infof("runner %s %s", change.identity(), change.leading() ? "leads: running operations"
                : "stands by: no new operation runs here");
        wakeUps.release();
    }

    /** New operations were recorded for these subjects; arrivalNanos is when their commands arrived. */
    public void recorded(List<String> subjects, long arrivalNanos) {
        subjects.forEach(s -> pendingWakes.putIfAbsent(s, arrivalNanos));
        wakeUps.release();
    }

    /** An event about subject arrived: its waiting operations are due now. */
    public void eventAbout(String subject, long arrivalNanos) {
        try {
            int due = Transactions.inTransaction(dataSource, c -> store.makeDue(c, subject, clock.instant()));
            if (due > 0) {
                pendingWakes.putIfAbsent(subject, arrivalNanos);
                wakeUps.release();
            }
        } catch (SQLException e) {
            // The periodic resync finds the operation when the database is back.
            LOG.debugf("could not wake the operations of %s: %s", subject, e.getMessage());
        }
    }

    /**
     * A wait shorter than the resync (a fence or a pod polled every half second) is looked at when it is due, not at
     * the next resync.
     */
    private void wakeAfter(Duration recheck) {
        if (recheck != null && recheck.compareTo(config.resyncInterval()) < 0) {
            try {
                alarms.schedule(() -> wakeUps.release(), recheck.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        }
    }

    private void dispatchLoop() {
        while (running) {
            try {
                wakeUps.tryAcquire(config.resyncInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (running && role.mayRun()) {
                dispatch();
            }
        }
    }

    /**
     * Starts the due heads of the subjects served longest ago on free workers. An id is marked in flight
     * before it is claimed, and the mark decides: this runner's claim alone would let two of its threads
     * take the same operation.
     */
    private void dispatch() {
        int failures = 0;
        while (running) {
            int free = config.workers() - inFlight.size();
            if (free <= 0) {
                return;
            }
            List<Operation> claimed;
            List<String> marked = new ArrayList<>();
            try {
                Instant now = clock.instant();
                List<RunQueue.Head> heads = Transactions.inTransaction(dataSource, store::heads);
                for (String id : RunQueue.pick(heads, role.runner(), now, inFlight.keySet(), lastServed, free)) {
                    if (inFlight.putIfAbsent(id, Boolean.TRUE) == null) {
                        marked.add(id);
                    }
                }
                if (marked.isEmpty()) {
                    health.driver.recovered();
                    return;
                }
                claimed = Transactions.inTransaction(dataSource, tx -> store.claim(tx, marked, role.runner(), now,
                        now.plus(config.claimDuration())));
                health.driver.recovered();
            } catch (SQLException | RuntimeException e) {
                marked.forEach(inFlight::remove);
                health.driver.waiting(e);
                sleep(backoff.after(++failures));
                continue;
            }
            List<String> started = claimed.stream().map(Operation::id).toList();
            marked.stream().filter(id -> !started.contains(id)).forEach(inFlight::remove);
            for (Operation op : claimed) {
                lastServed.put(op.subject(), clock.instant());
                workers.execute(() -> runTurn(op));
            }
            if (claimed.size() < free) {
                return;
            }
        }
    }

    /**
     * Runs op, then the next due operations of its subject, up to {@code runs-per-turn} in all: a backlog on
     * one node is worked through without a dispatch per operation, and the worker then goes back to the
     * dispatcher, which serves the subject that waited longest.
     */
    private void runTurn(Operation first) {
        Operation op = first;
        try {
            for (int n = 1; op != null; n++) {
                try {
                    run(op);
                } finally {
                    inFlight.remove(op.id());
                    lastServed.put(op.subject(), clock.instant());
                }
                op = n < config.runsPerTurn() && running && role.mayRun() ? nextOf(op.subject()) : null;
            }
        } finally {
            wakeUps.release();
        }
    }

    private Operation nextOf(String subject) {
        try {
            Instant now = clock.instant();
            Optional<Operation> next = Transactions.inTransaction(dataSource, tx -> store.claimNextOf(tx, subject,
                    role.runner(), now, now.plus(config.claimDuration())));
            if (next.isPresent() && inFlight.putIfAbsent(next.get().id(), Boolean.TRUE) == null) {
                return next.get();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("no next operation of %s now: %s", subject, e.getMessage());
        }
        return null;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private void run(Operation claimed) {
        OperationKind kind = kinds.get(claimed.kind());
        Operation op = claimed;
        try (Correlation ignored = Correlation.open(op.correlationId())) {
            Command command = Json.read(op.command(), (Class<Command>) kind.commandClass());
            if (op.deadline() == null) {
                op = op.withDeadline(clock.instant().plus(kind.timeout()));
            }
            for (int i = 0; i < config.maxStepsPerRun() && running; i++) {
                Instant now = clock.instant();
                if (op.isOverdue(now)) {
                    try {
                        releaseLeaseOrThrow(op);
                    } catch (Exception e) {
                        op = retryLater(op, e);
                        return;
                    }
                    op = commit(Transitions.finish(op, CommandState.FAILED, "deadline passed: not finished within "
                            + kind.timeout() + " (at phase " + op.phase()
                            + (op.step() == null ? "" : ", step: " + op.step()) + ")", List.of(), now));
                    LOG.warnf("%s %s FAILED: %s", op.kind(), op.subject(), op.reason());
                    return;
                }
                if (kind.whenBusy(command) != OperationKind.BusyRule.NOT_A_DATABASE_OPERATION) {
                    LeaseOutcome lease;
                    try {
                        lease = holdLease(op, kind.whenBusy(command), now);
                    } catch (SQLException | LostClaim e) {
                        throw e;
                    } catch (Exception e) {
                        op = retryLater(op, e);
                        return;
                    }
                    if (lease.blocked() != null) {
                        op = commit(lease.blocked());
                        return;
                    }
                    op = lease.holding();
                }
                Object observed;
                try {
                    observed = kind.observe(command, op);
                } catch (Exception e) {
                    op = retryLater(op, e);
                    return;
                }
                Long woken = pendingWakes.remove(op.subject());
                if (woken != null) {
                    wakeup.record(System.nanoTime() - woken, TimeUnit.NANOSECONDS);
                }
                Decision<?> decision = kind.decide(op, command, observed, now);
                if (decision.isFinal() && op.data().containsKey(LOCK_HELD)) {
                    try {
                        releaseLeaseOrThrow(op);
                    } catch (Exception e) {
                        op = retryLater(op, e);
                        return;
                    }
                }
                op = commit(Transitions.decided(op, decision, now));
                if (decision.isFinal()) {
                    LOG.infof("%s %s %s: %s", op.kind(), op.subject(), op.state(), op.reason());
                    return;
                }
                try {
                    for (Object action : decision.actions()) {
                        kind.apply(action, command, op);
                    }
                } catch (Exception e) {
                    op = retryLater(op, e);
                    return;
                }
                if (decision.next() == Decision.Next.WAIT) {
                    wakeAfter(decision.recheck());
                    return;
                }
            }
        } catch (LostClaim e) {
            LOG.warnf("%s %s: another runner took it over; stopping here", op.kind(), op.id());
        } catch (Exception e) {
            // The database is away, or a bug: the claim lapses and the operation resumes from its phase.
            LOG.warnf(e, "%s %s stopped at phase %s; it resumes from there", op.kind(), op.id(), op.phase());
        }
    }

    private Operation retryLater(Operation op, Exception e) throws SQLException {
        String error = e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warnf("%s %s at phase %s failed a try (%d so far): %s", op.kind(), op.subject(), op.phase(),
                op.attempt() + 1, error);
        return commit(Transitions.failedTry(op, error, backoff, clock.instant()));
    }

    /** Either op, now holding its database's lease, or the transition that rejects it or makes it wait. */
    private record LeaseOutcome(Operation holding, Transition blocked) {
        static LeaseOutcome held(Operation op) {
            return new LeaseOutcome(op, null);
        }

        static LeaseOutcome blocked(Transition t) {
            return new LeaseOutcome(null, t);
        }
    }

    /** Takes or renews the database's lease for op, or, when another operation holds it, applies the kind's rule. */
    private LeaseOutcome holdLease(Operation op, OperationKind.BusyRule whenBusy, Instant now) throws Exception {
        String[] db = op.subject().split("/", 2);
        DatabaseLocks lockPort = locks.get();
        Optional<DatabaseLease> lease = lockPort.read(db[0], db[1]);
        Optional<Boolean> holderDone = Optional.empty();
        if (lease.isPresent() && service.service().equals(lease.get().service()) && lease.get().holder() != null
                && !lease.get().holder().equals(op.id())) {
            holderDone = Transactions.inTransaction(dataSource, c -> store.find(c, lease.get().holder()))
                    .map(Operation::isFinal).or(() -> Optional.of(true));
        }
        switch (LockRules.judge(lease, op.id(), now, holderDone)) {
            case TAKE, TAKE_OVER -> {
                switch (lockPort.take(db[0], db[1], op, lease)) {
                    case CHANGED_MEANWHILE -> {
                        return LeaseOutcome.blocked(Transitions.waiting(op, "taking the lease of database "
                                + op.subject(), config.retryMin(), now));
                    }
                    case NO_SUCH_NAMESPACE -> {
                        return LeaseOutcome.blocked(Transitions.finish(op, CommandState.FAILED, "cluster "
                                + op.subject() + " does not exist (no namespace " + db[0] + ")", List.of(), now));
                    }
                    case TAKEN -> LOG.debugf("%s %s holds database %s", op.kind(), op.id(), op.subject());
                }
                Map<String, String> data = new HashMap<>(op.data());
                data.put(LOCK_HELD, "pgwarden-op-" + db[1]);
                Operation holding = new Operation(op.id(), op.seq(), op.kind(), op.subject(), op.commandType(),
                        op.correlationId(), op.command(), op.phase(), data, op.state(), op.step(), op.reason(),
                        op.attempt(), op.nextAttemptAt(), op.deadline(), op.owner(), op.claimExpiresAt(),
                        op.statusSequence(), op.createdAt(), op.updatedAt(), op.requestedBy());
                Transition locked = new Transition(holding, List.of(), List.of(new Activity(op.subject(),
                        "DatabaseLocked", true, op.kind() + " " + op.id() + " holds database " + op.subject())));
                return LeaseOutcome.held(commit(locked));
            }
            case RENEW -> {
                DatabaseLease l = lease.get();
                if (now.isAfter(l.renewedAt().plus(l.duration().dividedBy(3))) && !lockPort.renew(db[0], db[1], op)) {
                    return LeaseOutcome.blocked(Transitions.finish(op, CommandState.FAILED,
                            "lost the lease of database " + op.subject(), List.of(), now));
                }
                return LeaseOutcome.held(op);
            }
            default -> {
                String busy = "database " + op.subject() + " is busy with " + lease.get().describe()
                        + (lease.get().isExpired(now) ? " (its lease expired: its runner may be down; it resumes"
                        + " and releases it, or delete Lease pgwarden-op-" + db[1] + " once you know it is safe)" : "");
                return LeaseOutcome.blocked(whenBusy == OperationKind.BusyRule.REJECT
                        ? Transitions.finish(op, CommandState.REJECTED, busy, List.of(), now)
                        : Transitions.waiting(op, "waiting: " + busy, Duration.ofSeconds(2), now));
            }
        }
    }

    private void releaseLeaseOrThrow(Operation op) throws Exception {
        if (op.data().containsKey(LOCK_HELD)) {
            String[] db = op.subject().split("/", 2);
            locks.get().release(db[0], db[1], op.id());
        }
    }

    private Operation commit(Transition t) throws SQLException {
        Operation op = t.operation();
        Instant now = clock.instant();
        Transactions.inTransaction(dataSource, tx -> {
            if (!store.save(tx, op, role.runner(), now, now.plus(config.claimDuration()))) {
                throw new LostClaim();
            }
            for (Transition.Status s : t.statuses()) {
                outbox.add(tx, new CommandStatusChanged(op.id(), op.commandType(), op.subject(), s.state(), s.step(),
                        s.reason(), service.service(), s.sequence(), op.requestedBy()), op.id(), op.id(),
                        op.correlationId());
            }
            for (Activity a : t.activities()) {
                outbox.add(tx, new ActivityRecorded(a.subject(), a.action(), a.changed(), a.detail()), a.subject(),
                        a.subject(), op.correlationId());
            }
            return null;
        });
        outbox.committed();
        t.statuses().forEach(s -> LOG.debugf("%s %s: %s %s", op.kind(), op.subject(), s.state(),
                s.step() == null ? "" : s.step()));
        return op;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This runner's claim lapsed and another took the operation over. */
    static final class LostClaim extends RuntimeException {
        LostClaim() {
            super("claim lost", null, false, false);
        }
    }
}
