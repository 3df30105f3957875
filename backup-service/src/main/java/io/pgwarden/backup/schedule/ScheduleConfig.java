package io.pgwarden.backup.schedule;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How backup schedules are run ({@code pgwarden.backup.schedule.*}). */
@ConfigMapping(prefix = "pgwarden.backup.schedule")
public interface ScheduleConfig {

    /** How often the schedules are checked; a slot runs at most this late when the service is up. */
    @WithDefault("1s")
    Duration tick();

    /** How late a slot may be found and still count as on time; later, it was missed (the missed-slot policy). */
    @WithDefault("30s")
    Duration onTime();
}
