package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;

/**
 * Take a snapshot backup of a managed database's claims.
 *
 * @param method how; absent: the StatefulSet's {@code pgwarden.io/backup-method} annotation, else {@code online}
 * @param driver what snapshots; absent: its {@code pgwarden.io/snapshot-driver} annotation, else the configured one
 * @param label  the label {@code pg_backup_start} is given and the backup is shown with; absent: the backup's id
 * @param slot   for a scheduled backup, the slot it runs for, which names it; absent: a backup on request
 */
public record TakeBackup(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        BackupMethod method,
        SnapshotDriver driver,
        @Size(max = 100) @Pattern(regexp = Names.PRINTABLE, message = Names.PRINTABLE_MESSAGE) String label,
        Instant slot,
        @Size(max = 512) String reason) implements ClusterCommand {
}
