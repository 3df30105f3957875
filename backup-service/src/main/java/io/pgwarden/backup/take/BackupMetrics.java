package io.pgwarden.backup.take;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgwarden.backup.catalog.BackupCatalog;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backup metrics: {@code pgwarden_backup_duration_seconds} (method, driver, outcome), {@code
 * pgwarden_backup_failures_total} (method, driver), and {@code pgwarden_backup_last_completed_age_seconds} per
 * database (namespace, cluster), read from the catalog so it survives a restart.
 */
@Singleton
public class BackupMetrics {
    private static final Logger LOG = Logger.getLogger(BackupMetrics.class);

    private final MeterRegistry registry;
    private final BackupCatalog catalog;
    private final Clock clock;
    private final Map<String, Instant> lastCompleted = new ConcurrentHashMap<>();

    public BackupMetrics(MeterRegistry registry, BackupCatalog catalog, Clock clock) {
        this.registry = registry;
        this.catalog = catalog;
        this.clock = clock;
    }

    public void completed(String namespace, String cluster, String method, String driver, long millis,
                          Instant at) {
        timer(method, driver, "completed").record(Duration.ofMillis(millis));
        lastCompleted.merge(namespace + "/" + cluster, at, (a, b) -> a.isAfter(b) ? a : b);
        gauge(namespace + "/" + cluster);
    }

    public void failed(String method, String driver, long millis) {
        timer(method, driver, "failed").record(Duration.ofMillis(millis));
        Counter.builder("pgwarden.backup.failures").description("Backups that failed")
                .tag("method", method).tag("driver", driver).register(registry).increment();
    }

    @Scheduled(every = "30s", delay = 1)
    void refresh() {
        try {
            catalog.lastCompleted().forEach((database, at) -> {
                lastCompleted.put(database, at);
                gauge(database);
            });
        } catch (Exception e) {
            LOG.debugf("the last completed backups are not read now: %s", e.getMessage());
        }
    }

    private void gauge(String database) {
        String[] parts = database.split("/", 2);
        Gauge.builder("pgwarden.backup.last.completed.age", lastCompleted, m -> {
                    Instant at = m.get(database);
                    return at == null ? Double.NaN : Duration.between(at, clock.instant()).toMillis() / 1000.0;
                }).description("Seconds since the database's newest completed backup completed")
                .baseUnit("seconds").tag("namespace", parts[0]).tag("cluster", parts[1]).register(registry);
    }

    private Timer timer(String method, String driver, String outcome) {
        return Timer.builder("pgwarden.backup.duration").description("From a backup's start to its end")
                .tag("method", method).tag("driver", driver).tag("outcome", outcome).register(registry);
    }
}
