package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Put a managed database back to one of its backups, in place (a planned outage): stop it, swap its claims for ones
 * restored from the backup's snapshots (the current volumes are retained, so {@link UndoRestore} can put them back),
 * and start it.
 */
public record RestoreBackup(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @NotNull @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String backupId,
        @Size(max = 512) String reason) implements ClusterCommand {
}
