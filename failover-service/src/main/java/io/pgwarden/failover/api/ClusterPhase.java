package io.pgwarden.failover.api;

import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.contracts.command.NodeIncident;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;

import java.util.Map;
import java.util.Optional;

/**
 * Where a managed database stands, in the API's words. An operation holding its lock names what it goes through;
 * without one, its StatefulSet and pod say whether it runs.
 */
public enum ClusterPhase {
    RUNNING("running"),
    STOPPED("stopped"),
    MOVING("moving"),
    FAILING_OVER("failing over"),
    RESTORING("restoring"),
    STARTING("starting"),
    STOPPING("stopping"),
    UNAVAILABLE("unavailable");

    /** The phases of the operation kinds (the command's simple name, as the lock's Lease names it) that have one. */
    private static final Map<String, ClusterPhase> OF_KIND = Map.of(
            MoveDatabase.class.getSimpleName(), MOVING,
            FailbackDatabase.class.getSimpleName(), MOVING,
            NodeIncident.class.getSimpleName(), FAILING_OVER,
            RestoreBackup.class.getSimpleName(), RESTORING,
            StartDatabase.class.getSimpleName(), STARTING,
            StopDatabase.class.getSimpleName(), STOPPING);

    private final String word;

    ClusterPhase(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** The phase an operation of this kind puts its database in; empty for one that leaves it as it is (a backup). */
    static Optional<ClusterPhase> ofOperationKind(String kind) {
        return Optional.ofNullable(kind == null ? null : OF_KIND.get(kind));
    }
}
