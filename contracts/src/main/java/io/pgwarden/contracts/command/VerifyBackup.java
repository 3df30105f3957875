package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A restore drill: restore a backup into scratch claims, start a throw-away PostgreSQL on them, wait until it is
 * consistent and answers a query (and the schedule's SQL check, if any), measure the time against the database's
 * recovery-time objective, record verified or failed on the backup, and clean everything up.
 */
public record VerifyBackup(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @NotNull @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String backupId,
        @Size(max = 512) String reason) implements ClusterCommand {
}
