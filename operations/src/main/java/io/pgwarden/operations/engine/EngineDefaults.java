package io.pgwarden.operations.engine;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** What a service that says nothing else gets: it always runs, and ignores unattributable messages. */
public class EngineDefaults {

    @Produces
    @DefaultBean
    @Singleton
    RunnerRole alwaysRunning() {
        String runner = host() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new RunnerRole() {
            @Override
            public String runner() {
                return runner;
            }

            @Override
            public boolean mayRun() {
                return true;
            }
        };
    }

    @Produces
    @DefaultBean
    @Singleton
    UnattributableMessages ignoreUnattributable() {
        return () -> false;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
