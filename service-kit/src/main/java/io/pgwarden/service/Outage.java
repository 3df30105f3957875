package io.pgwarden.service;

import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Something a service waits for while a dependency (the broker, the catalog database) is away: said once
 * in the log when the wait starts and once when it ends, and shown by a readiness check meanwhile. The
 * work itself waits and resumes; nothing is failed or dropped for an outage.
 *
 * @see #waiting(Exception)
 */
public final class Outage {
    private final String waitingFor;
    private final String resumed;
    private final Logger log;
    private final Clock clock;
    private volatile String error;
    private volatile Instant since;

    /**
     * @param waitingFor what waits, e.g. "outbox relay cannot publish, waiting for the broker or the database"
     * @param resumed    what goes on again, e.g. "outbox relay publishing again"
     */
    public Outage(String waitingFor, String resumed, Logger log, Clock clock) {
        this.waitingFor = waitingFor;
        this.resumed = resumed;
        this.log = log;
        this.clock = clock;
    }

    public void waiting(Exception e) {
        String what = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (error == null) {
            since = clock.instant();
            log.warnf("%s: %s", waitingFor, what);
        } else {
            log.debugf("%s (still): %s", waitingFor, what);
        }
        error = what;
    }

    public void recovered() {
        if (error != null) {
            log.infof("%s after %s", resumed, Duration.between(since, clock.instant()));
            error = null;
            since = null;
        }
    }

    public boolean isWaiting() {
        return error != null;
    }

    /** While waiting: since when and the last error, for a health check's data. */
    public Optional<Map<String, String>> details(String prefix) {
        String e = error;
        Instant s = since;
        return e == null ? Optional.empty()
                : Optional.of(Map.of(prefix + "WaitingSince", String.valueOf(s), prefix + "Error", e));
    }
}
