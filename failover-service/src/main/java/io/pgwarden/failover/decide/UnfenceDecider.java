package io.pgwarden.failover.decide;

import io.pgwarden.failover.fence.FenceStatus;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Lifting pgwarden's fence of a node. It runs on the node's queue, so after any open incident of the node ended.
 * The fence goes only when no old process can write: the node has been Ready for the configured time (its kubelet
 * has run its housekeeping, which kills the containers of pods that no longer exist) and none of the pod objects
 * the incident released is still there. The storage fence is lifted before the taint goes, so nothing is scheduled
 * onto a node that cannot yet write.
 */
public final class UnfenceDecider {
    public static final String POWERING_ON = "powering-on";
    public static final String LIFTING = "lifting";
    public static final String UNTAINTING = "untainting";

    private UnfenceDecider() {
    }

    /**
     * What the unfence sees.
     *
     * @param nodeExists    the Node object is there
     * @param readySince    since when its Ready condition is True, if it is
     * @param outOfService  it carries the out-of-service taint
     * @param driver        the driver that fenced it (from its last incident), if pgwarden fenced it
     * @param fence         that driver's fence as read now
     * @param lifted        whether, as that driver reads it, the fence no longer keeps the node off its storage
     * @param powerState    the BMC's PowerState in node-watcher's latest word, if known
     * @param releasedPods  pods the last incident released that still exist (namespace/name)
     */
    public record Seen(boolean nodeExists, Optional<Instant> readySince, boolean outOfService, Optional<String> driver,
                       FenceStatus fence, boolean lifted, Optional<String> powerState, List<String> releasedPods) {
    }

    public sealed interface Action {
    }

    /** Lift the driver's fence; with powerOn, power the node on. */
    public record Lift(String node, String driver, boolean powerOn) implements Action {
    }

    public record RemoveOutOfServiceTaint(String node) implements Action {
    }

    public static Decision<Action> decide(Operation op, String node, boolean powerOn, Seen seen, Duration healthyFor,
                                          Instant now) {
        if (!seen.nodeExists()) {
            return Decision.fail("node " + node + " does not exist");
        }
        boolean fenced = seen.driver().isPresent() && !seen.lifted();
        if (!fenced && !seen.outOfService()) {
            if (!Operation.START.equals(op.phase())) {
                return Decision.succeed("unfenced node " + node, new Activity(node, "NodeUnfenced", true,
                        "node " + node + " unfenced: fence lifted and out-of-service taint removed"));
            }
            return Decision.succeed("node " + node + " is not fenced", new Activity(node, "NodeNotFenced", false,
                    "node " + node + " carries no fence of pgwarden and no out-of-service taint"));
        }
        boolean off = seen.powerState().map("Off"::equalsIgnoreCase).orElse(false);
        if (seen.readySince().isEmpty() && off && Operation.START.equals(op.phase())) {
            if (!powerOn) {
                return Decision.fail("node " + node + " is powered off: power it on, or ask again with powerOn");
            }
            return Decision.act(POWERING_ON, "powering node " + node + " on through its BMC",
                    List.of(new Lift(node, seen.driver().orElse("redfish"), true)));
        }
        if (seen.readySince().isEmpty() || seen.readySince().get().plus(healthyFor).isAfter(now)) {
            return Decision.waitFor(op.phase().equals(Operation.START) ? "waiting" : op.phase(),
                    "waiting for node " + node + " to be Ready for " + healthyFor
                            + seen.readySince().map(t -> " (Ready since " + t + ")").orElse(" (not Ready)"),
                    Duration.ofSeconds(1));
        }
        if (!seen.releasedPods().isEmpty()) {
            return Decision.waitFor("waiting", "waiting: pods released from node " + node + " still exist: "
                    + String.join(", ", seen.releasedPods()), Duration.ofSeconds(1));
        }
        if (fenced && LIFTING.equals(op.phase())) {
            if (seen.fence().state() == FenceStatus.State.FAILED) {
                return Decision.fail("lifting the fence of node " + node + " failed: " + seen.fence().detail());
            }
            // Lifting may take steps (a NetworkFence set Unfenced, then deleted): each look asks for the next one.
            return new Decision<>(List.of(new Lift(node, seen.driver().get(), false)), List.of(), Decision.Next.WAIT,
                    LIFTING, null, "waiting for the " + seen.driver().get() + " fence of node " + node + " to lift ("
                    + seen.fence().detail() + ")", Duration.ofMillis(500), null);
        }
        if (fenced) {
            return Decision.act(LIFTING, "lifting the " + seen.driver().get() + " fence of node " + node + " ("
                    + seen.fence().detail() + ")", List.of(new Lift(node, seen.driver().get(), false)));
        }
        return Decision.act(UNTAINTING, "removing the out-of-service taint of node " + node,
                List.of(new RemoveOutOfServiceTaint(node)));
    }
}
