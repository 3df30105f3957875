package io.pgwarden.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while a command status waits for the database; liveness stays up, the wait ends by itself. */
@Readiness
@ApplicationScoped
public class StatusConsumerHealthCheck implements HealthCheck {
    private final StatusConsumer consumer;

    public StatusConsumerHealthCheck(StatusConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("command-status")
                .status(!consumer.outage().isWaiting());
        consumer.outage().details("").ifPresent(d -> d.forEach(response::withData));
        return response.build();
    }
}
