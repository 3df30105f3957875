package io.pgwarden.operations.engine;

import io.pgwarden.leader.Leadership;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Who runs operations (the replica that holds the service's leader Lease), and the default for strays. */
public class EngineDefaults {

    @Produces
    @Singleton
    RunnerRole leader(Leadership leadership) {
        return new RunnerRole() {
            @Override
            public String runner() {
                return leadership.identity();
            }

            @Override
            public boolean mayRun() {
                return leadership.isLeader();
            }
        };
    }

    @Produces
    @DefaultBean
    @Singleton
    UnattributableMessages ignoreUnattributable() {
        return () -> false;
    }
}
