package io.pgwarden.backup.drill;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pgwarden.backup.decide.DrillAction;
import io.pgwarden.backup.restore.BackupCatalog;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drill metrics: {@code pgwarden_drill_duration_seconds{outcome}}, {@code pgwarden_drill_failures_total}, per
 * database the last measured restore time and its objective ({@code pgwarden_drill_restore_seconds},
 * {@code pgwarden_drill_objective_seconds}), and the age of its newest verified backup
 * ({@code pgwarden_backup_last_verified_age_seconds}, loaded from the catalog at start).
 */
@Singleton
public class DrillMetrics {
    private static final Logger LOG = Logger.getLogger(DrillMetrics.class);
    private final MeterRegistry registry;
    private final BackupCatalog catalog;
    private final Clock clock;
    private final Map<String, double[]> lastRestore = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastVerified = new ConcurrentHashMap<>();

    DrillMetrics(MeterRegistry registry, BackupCatalog catalog, Clock clock) {
        this.registry = registry;
        this.catalog = catalog;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent start) {
        try {
            catalog.lastVerified().forEach(v -> verifiedAt(v.namespace(), v.cluster(), v.completedAt()));
        } catch (Exception e) {
            LOG.warnf(e, "the age of the last verified backups is not known until the next drill");
        }
    }

    void drilled(DrillAction.RecordVerification r) {
        registry.timer("pgwarden.drill.duration", "outcome", r.verified() ? "verified" : "failed")
                .record(Duration.ofMillis(r.drillMillis()));
        if (!r.verified()) {
            registry.counter("pgwarden.drill.failures").increment();
        }
        String key = r.namespace() + "/" + r.cluster();
        Tags tags = Tags.of("namespace", r.namespace(), "cluster", r.cluster());
        if (r.restoreMillis() != null) {
            double[] last = lastRestore.computeIfAbsent(key, k -> {
                double[] values = new double[2];
                registry.gauge("pgwarden.drill.restore.seconds", tags, values, v -> v[0]);
                registry.gauge("pgwarden.drill.objective.seconds", tags, values, v -> v[1]);
                return values;
            });
            last[0] = r.restoreMillis() / 1000.0;
            last[1] = r.objectiveMillis() / 1000.0;
        }
        if (r.verified()) {
            try {
                catalog.lastVerified().stream().filter(v -> v.namespace().equals(r.namespace())
                        && v.cluster().equals(r.cluster())).findFirst()
                        .ifPresent(v -> verifiedAt(v.namespace(), v.cluster(), v.completedAt()));
            } catch (Exception e) {
                LOG.warnf(e, "the age of the last verified backup of %s is not updated", key);
            }
        }
    }

    private void verifiedAt(String namespace, String cluster, Instant completedAt) {
        String key = namespace + "/" + cluster;
        if (lastVerified.put(key, completedAt) == null) {
            registry.gauge("pgwarden.backup.last.verified.age.seconds",
                    Tags.of("namespace", namespace, "cluster", cluster), lastVerified,
                    m -> Duration.between(m.get(key), clock.instant()).toMillis() / 1000.0);
        }
    }
}
