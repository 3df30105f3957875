package io.pgwarden.operations.engine;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How a service runs its operations. */
@ConfigMapping(prefix = "pgwarden.operations")
public interface EngineConfig {

    /** Operations run at the same time (on different subjects; one subject's run one after the other). */
    @WithDefault("8")
    int workers();

    /**
     * Operations of one subject a worker runs in a row before it lets the dispatcher choose again: fewer
     * dispatches under a backlog, and other subjects still get their turn.
     */
    @WithDefault("8")
    int runsPerTurn();

    /** How often the driver looks for due operations when no event or command woke it. */
    @WithDefault("1s")
    Duration resyncInterval();

    /** How long a runner's claim on an operation lasts; every write extends it. */
    @WithDefault("30s")
    Duration claimDuration();

    /** First wait after a transient failure (Kubernetes or the database unreachable); doubles per try. */
    @WithDefault("200ms")
    Duration retryMin();

    /** Longest wait between tries; an outage is waited out without a cap on the number of tries. */
    @WithDefault("15s")
    Duration retryMax();

    /**
     * Age limit of a command that carries no {@code ce_expiresat}, counted from its {@code ce_time}:
     * older ones are REJECTED "expired".
     */
    @WithDefault("1h")
    Duration defaultCommandTtl();

    /** Decisions in a row before an operation yields its worker to others. */
    @WithDefault("20")
    int maxStepsPerRun();

    /** How long a database lease lasts after its last renewal. */
    @WithDefault("30s")
    Duration databaseLeaseDuration();
}
