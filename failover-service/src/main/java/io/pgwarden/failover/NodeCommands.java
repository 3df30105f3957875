package io.pgwarden.failover;

import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.service.CommandProcessor.Executor;
import io.pgwarden.service.CommandProcessor.Outcome;
import io.pgwarden.service.CommandProcessor.Steps;
import io.pgwarden.service.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Runs cordon and uncordon; each records on the node's timeline whether it changed the cluster. */
@ApplicationScoped
public class NodeCommands implements Executor {

    /** Where the timeline lines of a command go. */
    @FunctionalInterface
    public interface Timeline {
        void record(String subject, String action, boolean changed, String detail, String correlationId);
    }

    private final NodeScheduling scheduling;
    private final Timeline timeline;

    @Inject
    public NodeCommands(NodeScheduling scheduling, EventPublisher publisher) {
        this(scheduling, publisher::activity);
    }

    public NodeCommands(NodeScheduling scheduling, Timeline timeline) {
        this.scheduling = scheduling;
        this.timeline = timeline;
    }

    @Override
    public Outcome execute(Command command, MessageMetadata metadata, Steps steps) {
        if (command instanceof CordonNode c) {
            return setUnschedulable(c.node(), true, metadata, steps);
        }
        if (command instanceof UncordonNode u) {
            return setUnschedulable(u.node(), false, metadata, steps);
        }
        return Outcome.failed("failover-service does not run " + metadata.type());
    }

    private Outcome setUnschedulable(String node, boolean unschedulable, MessageMetadata metadata, Steps steps) {
        String verb = unschedulable ? "cordon" : "uncordon";
        steps.running(verb);
        return switch (scheduling.setUnschedulable(node, unschedulable)) {
            case NODE_NOT_FOUND -> Outcome.failed("node " + node + " does not exist");
            case CHANGED -> {
                timeline.record(node, unschedulable ? "NodeCordoned" : "NodeUncordoned", true,
                        verb + "ed node " + node, metadata.correlationId());
                yield Outcome.succeeded(verb + "ed node " + node);
            }
            case UNCHANGED -> {
                timeline.record(node, unschedulable ? "NodeAlreadyCordoned" : "NodeAlreadySchedulable", false,
                        "node " + node + " was already " + (unschedulable ? "unschedulable" : "schedulable"),
                        metadata.correlationId());
                yield Outcome.succeeded("node " + node + " was already " + (unschedulable ? "cordoned" : "schedulable"));
            }
        };
    }
}
