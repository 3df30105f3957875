package io.pgwarden.failover.fence;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Health check {@code fencing}: DOWN, with the reason, while no fence driver is configured for every node. A wellness
 * check ({@code /q/health/well} and {@code /q/health}), neither liveness nor readiness: the service still takes
 * commands and runs planned operations, and a restart would not configure a driver.
 */
@Wellness
@ApplicationScoped
public class FencingHealthCheck implements HealthCheck {
    private final FenceDrivers drivers;

    public FencingHealthCheck(FenceDrivers drivers) {
        this.drivers = drivers;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("fencing");
        return drivers.problem().map(problem -> response.down().withData("reason", problem))
                .orElseGet(() -> response.up().withData("driver", drivers.configured().orElseThrow())).build();
    }
}
