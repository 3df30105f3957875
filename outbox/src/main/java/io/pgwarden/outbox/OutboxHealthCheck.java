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
        String trouble = relay.trouble();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("outbox-relay").status(trouble == null);
        if (trouble != null) {
            response.withData("waitingSince", String.valueOf(relay.troubleSince())).withData("error", trouble);
        }
        return response.build();
    }
}
