package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Take a snapshot backup of a managed cluster's volume. */
public record TakeBackup(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @NotNull BackupMethod method,
        @Size(max = 512) String reason) implements ClusterCommand {
}
