package io.pgwarden.failover;

import io.pgwarden.operations.engine.UnattributableMessages;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** failover-service is the one service that answers messages on the command topic that no service owns. */
public class FailoverDefaults {

    @Produces
    @Singleton
    UnattributableMessages rejectUnattributable() {
        return () -> true;
    }
}
