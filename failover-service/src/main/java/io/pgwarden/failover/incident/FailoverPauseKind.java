package io.pgwarden.failover.incident;

import io.pgwarden.contracts.command.FailoverCommand;
import io.pgwarden.contracts.command.PauseFailover;
import io.pgwarden.contracts.command.ResumeFailover;
import io.pgwarden.failover.decide.FailoverPauseDecider;
import io.pgwarden.failover.decide.FailoverPauseDecider.SetPause;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Pause and resume automatic failover as operations: incidents wait at their rails while paused. */
public abstract class FailoverPauseKind<C extends FailoverCommand> implements OperationKind<C, Optional<String>, SetPause> {
    private final FailoverPause pause;
    private final Clock clock;
    private final Class<C> commandClass;
    private final boolean pausing;

    FailoverPauseKind(FailoverPause pause, Clock clock, Class<C> commandClass, boolean pausing) {
        this.pause = pause;
        this.clock = clock;
        this.commandClass = commandClass;
        this.pausing = pausing;
    }

    @Override
    public Class<C> commandClass() {
        return commandClass;
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(2);
    }

    @Override
    public Optional<String> observe(C command, Operation operation) throws Exception {
        return pause.pausedBecause();
    }

    @Override
    public Decision<SetPause> decide(Operation operation, C command, Optional<String> observed, Instant now) {
        return FailoverPauseDecider.decide(operation, pausing, reason(command), observed);
    }

    @Override
    public void apply(SetPause action, C command, Operation operation) throws Exception {
        pause.set(action.paused(), action.reason(), operation.id(), clock.instant());
    }

    abstract String reason(C command);

    @Singleton
    public static class Pause extends FailoverPauseKind<PauseFailover> {
        public Pause(FailoverPause pause, Clock clock) {
            super(pause, clock, PauseFailover.class, true);
        }

        @Override
        String reason(PauseFailover command) {
            return command.reason();
        }
    }

    @Singleton
    public static class Resume extends FailoverPauseKind<ResumeFailover> {
        public Resume(FailoverPause pause, Clock clock) {
            super(pause, clock, ResumeFailover.class, false);
        }

        @Override
        String reason(ResumeFailover command) {
            return command.reason();
        }
    }
}
