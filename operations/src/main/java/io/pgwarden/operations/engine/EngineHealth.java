package io.pgwarden.operations.engine;

import io.pgwarden.service.Outage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.time.Clock;

/**
 * Degraded (not ready) while command intake or the driver waits for the catalog database; the work waits
 * and resumes by itself, so liveness stays up and nothing restarts the service for an outage elsewhere.
 */
@Singleton
public class EngineHealth {
    private static final Logger LOG = Logger.getLogger(EngineHealth.class);

    final Outage intake;
    final Outage driver;

    public EngineHealth(Clock clock) {
        intake = new Outage("command intake waits for the catalog database", "command intake recording again", LOG,
                clock);
        driver = new Outage("operation driver waits for the catalog database", "operation driver running again",
                LOG, clock);
    }

    /** The operations readiness check. */
    @Readiness
    @ApplicationScoped
    public static class Check implements HealthCheck {
        private final EngineHealth health;

        public Check(EngineHealth health) {
            this.health = health;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder r = HealthCheckResponse.named("operations")
                    .status(!health.intake.isWaiting() && !health.driver.isWaiting());
            health.intake.details("intake").ifPresent(d -> d.forEach(r::withData));
            health.driver.details("driver").ifPresent(d -> d.forEach(r::withData));
            return r.build();
        }
    }
}
