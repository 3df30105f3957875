package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Delete a backup: its snapshots and its catalog entry.
 *
 * @param evenTheLastGood also when it is the database's last good backup, which is otherwise refused
 */
public record DeleteBackup(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @NotNull @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String backupId,
        boolean evenTheLastGood,
        @Size(max = 512) String reason) implements ClusterCommand {
}
