package io.pgwarden.failover.decide;

import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.util.List;
import java.util.Optional;

/**
 * Cordon and uncordon as a decision over the node as read: announce the patch, send it, then see it in
 * the node before calling it done. A node already in the wanted state is reported unchanged.
 */
public final class NodeSchedulingDecider {
    public static final String PATCHING = "patching";

    private NodeSchedulingDecider() {
    }

    /**
     * @param unschedulable what the node's {@code spec.unschedulable} is now; empty when there is no such node
     * @param cordon        true to cordon, false to uncordon
     */
    public static Decision<SetUnschedulable> decide(Operation op, String node, boolean cordon,
                                                    Optional<Boolean> unschedulable) {
        String verb = cordon ? "cordon" : "uncordon";
        if (unschedulable.isEmpty()) {
            return Decision.fail("node " + node + " does not exist");
        }
        boolean done = unschedulable.get() == cordon;
        if (Operation.START.equals(op.phase()) && done) {
            String state = cordon ? "cordoned" : "schedulable";
            return Decision.succeed("node " + node + " was already " + state, new Activity(node,
                    cordon ? "NodeAlreadyCordoned" : "NodeAlreadySchedulable", false,
                    "node " + node + " was already " + (cordon ? "unschedulable" : "schedulable")));
        }
        if (done) {
            return Decision.succeed(verb + "ed node " + node,
                    new Activity(node, cordon ? "NodeCordoned" : "NodeUncordoned", true, verb + "ed node " + node));
        }
        return Decision.act(PATCHING, verb, List.of(new SetUnschedulable(node, cordon)));
    }

    /** The action: set the node's {@code spec.unschedulable}. */
    public record SetUnschedulable(String node, boolean unschedulable) {
    }
}
