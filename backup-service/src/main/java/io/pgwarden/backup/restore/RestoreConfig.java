package io.pgwarden.backup.restore;

import io.pgwarden.backup.decide.RestoreSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The restore's limits per step (see {@link RestoreSettings}); it reaches the databases as backups do. */
@ConfigMapping(prefix = "pgwarden.backup.restore")
public interface RestoreConfig {
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
