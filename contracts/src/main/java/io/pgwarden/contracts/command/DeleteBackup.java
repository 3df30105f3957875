package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Delete a backup and its snapshot. */
public record DeleteBackup(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String backup,
        @Size(max = 512) String reason) implements ClusterCommand {
}
