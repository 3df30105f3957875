package io.pgwarden.backup.take;

import io.pgwarden.backup.decide.BackupSettings;
import io.pgwarden.database.DatabaseAddress;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The backups' defaults, their limits per step (see {@link BackupSettings}), and how the databases are reached. */
@ConfigMapping(prefix = "pgwarden.backup")
public interface BackupConfig {

    /** The snapshot driver when neither the request nor the StatefulSet's annotation names one. */
    @WithDefault("csi")
    String driver();

    /** The VolumeSnapshotClass when the StatefulSet names none; absent: the volumes' driver's default class. */
    Optional<String> volumeSnapshotClass();

    /** pg_backup_start's immediate checkpoint; a busy database with a large shared_buffers takes a while. */
    @WithDefault("2m")
    Duration backupStartTimeout();

    /** Each claim's snapshot cut (status.creationTime); the database's writes may pause meanwhile (fsfreeze). */
    @WithDefault("5m")
    Duration cutTimeout();

    @WithDefault("2m")
    Duration backupStopTimeout();

    /** Every snapshot readyToUse: a driver may upload or clone after the cut (ceph-csi clones). */
    @WithDefault("10m")
    Duration readyTimeout();

    /** A cold backup's scale to 0 to the pod gone and its volumes detached. */
    @WithDefault("3m")
    Duration scaleDownTimeout();

    /** A cold backup's scale back to a write accepted through the Service. */
    @WithDefault("5m")
    Duration scaleUpTimeout();

    @WithDefault("2m")
    Duration cleanupTimeout();

    @WithDefault("500ms")
    Duration poll();

    /** The engine's backstop for one operation; the steps' own limits end it long before. */
    @WithDefault("1h")
    Duration timeout();

    /** {@code cluster-dns} or {@code sandbox}: how the databases' Services are reached, as failover's write check. */
    @WithDefault("cluster-dns")
    DatabaseAddress databaseAddress();

    /** The sandbox's fault API (its {@code SANDBOX_URL}), for {@code database-address=sandbox}. */
    Optional<String> sandboxUrl();

    default BackupSettings settings() {
        return new BackupSettings(driver(), volumeSnapshotClass(), backupStartTimeout(), cutTimeout(),
                backupStopTimeout(), readyTimeout(), scaleDownTimeout(), scaleUpTimeout(), cleanupTimeout(), poll());
    }
}
