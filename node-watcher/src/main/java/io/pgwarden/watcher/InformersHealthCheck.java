package io.pgwarden.watcher;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the node and pod informers have synced with the API server and are watching. */
@Readiness
@ApplicationScoped
public class InformersHealthCheck implements HealthCheck {

    @Inject
    HealthWatcher watcher;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kubernetes-informers").status(watcher.isWatching()).build();
    }
}
