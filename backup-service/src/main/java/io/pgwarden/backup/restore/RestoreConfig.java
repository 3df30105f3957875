package io.pgwarden.backup.restore;

import io.pgwarden.backup.decide.RestoreSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The restore's limits per step (see {@link RestoreSettings}) and how it reaches the databases. */
@ConfigMapping(prefix = "pgwarden.backup")
public interface RestoreConfig {

    enum Address {
        /** {@code <service>.<namespace>.svc}: in a cluster. */
        CLUSTER_DNS,
        /** The local port the sandbox publishes for each Service: the local run and the tests. */
        SANDBOX
    }

    @WithDefault("cluster-dns")
    Address databaseAddress();

    /** The sandbox's fault API (its {@code SANDBOX_URL}), for {@code database-address=sandbox}. */
    Optional<String> sandboxUrl();

    Restore restore();

    interface Restore {
        /** The scale to 0 to the pod gone and its volumes detached. */
        @WithDefault("3m")
        Duration stopTimeout();

        /** Claims deleted, restored from their snapshots, bound. */
        @WithDefault("5m")
        Duration claimTimeout();

        /** The helper Job: an image pull, a mount, a few file writes. */
        @WithDefault("5m")
        Duration jobTimeout();

        /** The scale-up to the pod Ready: a volume attach, an image pull, PostgreSQL's recovery. */
        @WithDefault("10m")
        Duration readyTimeout();

        /** The pod Ready to a write accepted through the Service. */
        @WithDefault("2m")
        Duration writeTimeout();

        @WithDefault("1s")
        Duration poll();

        /** The engine's backstop for one restore; the steps' own limits end it long before. */
        @WithDefault("1h")
        Duration timeout();

        default RestoreSettings settings() {
            return new RestoreSettings(stopTimeout(), claimTimeout(), jobTimeout(), readyTimeout(), writeTimeout(),
                    poll());
        }
    }
}
