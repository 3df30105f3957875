package io.pgwarden.backup.decide;

import io.pgwarden.contracts.command.ClusterCommand;
import io.pgwarden.operations.core.Decision;

/**
 * What backup-service decides today: a command for a cluster that does not exist fails saying so; any
 * other fails honestly, since the snapshot methods are not built yet.
 */
public final class NotYetAvailableDecider {
    private NotYetAvailableDecider() {
    }

    public static Decision<Void> decide(ClusterCommand command, boolean statefulSetExists) {
        if (!statefulSetExists) {
            return Decision.fail("cluster " + command.subject() + " does not exist (no StatefulSet "
                    + command.cluster() + " in namespace " + command.namespace() + ")");
        }
        return Decision.fail("io.pgwarden." + command.getClass().getSimpleName()
                + " is not available in this version of backup-service");
    }
}
