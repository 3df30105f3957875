package io.pgwarden.failover.decide;

import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.operations.core.Operation;

import java.util.Set;

/** What the planned operations' deciders share with their adapters. */
public final class PlannedDecider {
    /** Data keys. */
    public static final String AT = "at.";
    public static final String OLD_UID = "oldUid";

    /** The phases that wait for a new pod to accept writes. */
    static final Set<String> WAITING_FOR_WRITES = Set.of(MoveDecider.RESCHEDULING, StartDecider.STARTING);

    private PlannedDecider() {
    }

    /**
     * Whether the observation should include a write check: while the operation waits for writes and the pod it
     * waits for (not the one it moved away) is Ready. A check costs a connection, so it is made only then.
     */
    public static boolean wantsWrite(Operation op, PlannedView view) {
        if (!WAITING_FOR_WRITES.contains(op.phase()) || view.pod().isEmpty()) {
            return false;
        }
        PodSeen pod = view.pod().get();
        return pod.ready() && !pod.terminating() && pod.node() != null && !pod.uid().equals(op.data().get(OLD_UID));
    }
}
