package io.pgwarden.leader;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Says whether this replica leads, without making a standby unready: a standby is healthy, it just does not act.
 * Always UP; the data say who leads.
 */
@Readiness
@ApplicationScoped
public class LeadershipHealthCheck implements HealthCheck {
    private final Leadership leadership;

    LeadershipHealthCheck(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("leader-election").up()
                .withData("leading", leadership.isLeader())
                .withData("identity", leadership.identity())
                .withData("lease", leadership.lease())
                .withData("holder", leadership.holder().orElse("none"))
                .build();
    }
}
