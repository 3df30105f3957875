package io.pgwarden.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while events wait for the broker or the database: the service is degraded, its work
 * waits and resumes by itself. Liveness stays up, so nothing restarts it for an outage elsewhere.
 */
@Readiness
@ApplicationScoped
public class OutboxHealthCheck implements HealthCheck {
    private final OutboxRelay relay;

    public OutboxHealthCheck(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("outbox-relay")
                .status(!relay.outage().isWaiting());
        relay.outage().details("").ifPresent(d -> d.forEach(response::withData));
        return response.build();
    }
}
