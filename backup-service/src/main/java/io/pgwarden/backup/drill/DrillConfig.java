package io.pgwarden.backup.drill;

import io.pgwarden.backup.decide.DrillSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** A drill's limits per step (see {@link DrillSettings}) and the default recovery-time objective. */
@ConfigMapping(prefix = "pgwarden.backup.drill")
public interface DrillConfig {

    @WithDefault("5m")
    Duration claimTimeout();

    @WithDefault("5m")
    Duration jobTimeout();

    /** The throw-away pod's creation to Ready: a volume attach, an image pull, PostgreSQL's start. */
    @WithDefault("10m")
    Duration readyTimeout();

    /** The pod Ready to answering out of recovery: the replay of the WAL tail. */
    @WithDefault("2m")
    Duration queryTimeout();

    @WithDefault("5m")
    Duration cleanupTimeout();

    /** The objective of a database without {@code pgwarden.io/recovery-time-objective}, ISO-8601 or 5m. */
    @WithDefault("PT5M")
    Duration defaultRto();

    @WithDefault("1s")
    Duration poll();

    /** The engine's backstop for one drill; the steps' own limits end it long before. */
    @WithDefault("1h")
    Duration timeout();

    default DrillSettings settings() {
        return new DrillSettings(claimTimeout(), jobTimeout(), readyTimeout(), queryTimeout(), cleanupTimeout(),
                defaultRto(), poll());
    }
}
