package io.pgwarden.failover.node;

import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.NodeCommand;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.failover.decide.NodeSchedulingDecider;
import io.pgwarden.failover.decide.NodeSchedulingDecider.SetUnschedulable;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Cordon and uncordon as operations: observe the node, decide, patch it. */
public abstract class NodeSchedulingKind<C extends NodeCommand>
        implements OperationKind<C, Optional<Boolean>, SetUnschedulable> {
    private final NodeScheduling scheduling;
    private final Class<C> commandClass;
    private final boolean cordon;

    NodeSchedulingKind(NodeScheduling scheduling, Class<C> commandClass, boolean cordon) {
        this.scheduling = scheduling;
        this.commandClass = commandClass;
        this.cordon = cordon;
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
    public Optional<Boolean> observe(C command, Operation operation) {
        return scheduling.unschedulable(command.node());
    }

    @Override
    public Decision<SetUnschedulable> decide(Operation operation, C command, Optional<Boolean> observed, Instant now) {
        return NodeSchedulingDecider.decide(operation, command.node(), cordon, observed);
    }

    @Override
    public void apply(SetUnschedulable action, C command, Operation operation) {
        scheduling.setUnschedulable(action.node(), action.unschedulable());
    }

    @Singleton
    public static class Cordon extends NodeSchedulingKind<CordonNode> {
        public Cordon(NodeScheduling scheduling) {
            super(scheduling, CordonNode.class, true);
        }
    }

    @Singleton
    public static class Uncordon extends NodeSchedulingKind<UncordonNode> {
        public Uncordon(NodeScheduling scheduling) {
            super(scheduling, UncordonNode.class, false);
        }
    }
}
