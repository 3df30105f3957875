package io.pgwarden.operations.core;

import io.pgwarden.contracts.command.Command;

import java.time.Duration;
import java.time.Instant;

/**
 * One kind of operation: how to read the part of the world it depends on, the pure decision over that
 * reading, and how to apply its actions. {@link #observe} and {@link #apply} are the ports (Kubernetes,
 * a fence agent, a database); {@link #decide} does no I/O and is unit-tested with a fixed clock.
 *
 * @param <C> the command that starts it
 * @param <O> what it observes
 * @param <A> the actions it asks for
 */
public interface OperationKind<C extends Command, O, A> {

    /** The command class this kind runs; its simple name is the operation's kind. */
    Class<C> commandClass();

    /** How long an operation of this kind may take from its acceptance before it is FAILED. */
    Duration timeout();

    /** What to do when the operation's database is busy with another operation. */
    default BusyRule whenBusy() {
        return BusyRule.NOT_A_DATABASE_OPERATION;
    }

    /**
     * The rule for this command; by default the kind's. A command that changes nothing (a dry run) may take no
     * lock, so it never blocks nor waits for another operation.
     */
    default BusyRule whenBusy(C command) {
        return whenBusy();
    }

    O observe(C command, Operation operation) throws Exception;

    Decision<A> decide(Operation operation, C command, O observed, Instant now);

    void apply(A action, C command, Operation operation) throws Exception;

    default String name() {
        return commandClass().getSimpleName();
    }

    /** The rule a kind states for a database that another operation holds. */
    enum BusyRule {
        /** Acts on a node, not a database: takes no database lock. */
        NOT_A_DATABASE_OPERATION,
        /** REJECTED at once, naming the holder's kind, id and start time. */
        REJECT,
        /** Waits its turn (until its deadline), saying who it waits for. */
        QUEUE
    }
}
