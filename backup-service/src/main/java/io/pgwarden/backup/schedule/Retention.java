package io.pgwarden.backup.schedule;

import java.time.Duration;
import java.util.Optional;

/**
 * How long a schedule's backups are kept: the last {@code keepLast}, and none older than {@code maxAge}; either may
 * be absent, not both. The database's newest completed backup is kept whatever they say.
 */
public record Retention(Integer keepLast, Duration maxAge) {

    /** Why this retention cannot be used, or empty. */
    public Optional<String> problem() {
        if (keepLast == null && maxAge == null) {
            return Optional.of("retention needs keepLast, maxAge or both");
        }
        if (keepLast != null && keepLast < 1) {
            return Optional.of("retention keepLast " + keepLast + " would keep nothing: at least 1");
        }
        if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
            return Optional.of("retention maxAge " + maxAge + " would keep nothing: a positive duration such as P7D");
        }
        return Optional.empty();
    }
}
