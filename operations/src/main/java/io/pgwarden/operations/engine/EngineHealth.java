package io.pgwarden.operations.engine;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Degraded (not ready) while command intake or the driver waits for the catalog database; the work waits
 * and resumes by itself, so liveness stays up and nothing restarts the service for an outage elsewhere.
 */
@ApplicationScoped
public class EngineHealth {
    private static final Logger LOG = Logger.getLogger(EngineHealth.class);

    private volatile String intakeTrouble;
    private volatile Instant intakeSince;
    private volatile String driverTrouble;
    private volatile Instant driverSince;

    void intakeWaiting(Exception e, Instant now) {
        if (intakeTrouble == null) {
            intakeSince = now;
            LOG.warnf("command intake waits for the catalog database: %s", e.getMessage());
        }
        intakeTrouble = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    void intakeRecovered() {
        if (intakeTrouble != null) {
            LOG.infof("command intake recording again (waited since %s)", intakeSince);
            intakeTrouble = null;
        }
    }

    void driverWaiting(Exception e, Instant now) {
        if (driverTrouble == null) {
            driverSince = now;
            LOG.warnf("operation driver waits for the catalog database: %s", e.getMessage());
        }
        driverTrouble = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    void driverRecovered() {
        if (driverTrouble != null) {
            LOG.infof("operation driver running again (waited since %s)", driverSince);
            driverTrouble = null;
        }
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
            return health.response();
        }
    }

    HealthCheckResponse response() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("operations")
                .status(intakeTrouble == null && driverTrouble == null);
        if (intakeTrouble != null) {
            r.withData("intakeWaitingSince", intakeSince.toString()).withData("intakeError", intakeTrouble);
        }
        if (driverTrouble != null) {
            r.withData("driverWaitingSince", driverSince.toString()).withData("driverError", driverTrouble);
        }
        return r.build();
    }
}
