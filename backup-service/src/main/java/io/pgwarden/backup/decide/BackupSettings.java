package io.pgwarden.backup.decide;

import java.time.Duration;
import java.util.Optional;

/**
 * A backup's defaults and its limits, one per step.
 *
 * @param driver             the snapshot driver when neither the command nor the StatefulSet names one
 * @param snapshotClass      the VolumeSnapshotClass when the StatefulSet names none; empty: the volumes' driver's
 *                           default class
 * @param backupStartTimeout {@code pg_backup_start} (its immediate checkpoint) to return
 * @param cutTimeout         the snapshots to be cut ({@code status.creationTime})
 * @param backupStopTimeout  {@code pg_backup_stop} to return
 * @param readyTimeout       the snapshots to be ready to use
 * @param scaleDownTimeout   a cold backup's scale to 0 to the pod gone and its volumes detached
 * @param scaleUpTimeout     a cold backup's scale back to a write accepted through the Service
 * @param cleanupTimeout     the snapshots of a failed or deleted backup to be gone
 * @param poll               how often to look again while waiting
 */
public record BackupSettings(String driver, Optional<String> snapshotClass, Duration backupStartTimeout,
                             Duration cutTimeout, Duration backupStopTimeout, Duration readyTimeout,
                             Duration scaleDownTimeout, Duration scaleUpTimeout, Duration cleanupTimeout,
                             Duration poll) {
}
