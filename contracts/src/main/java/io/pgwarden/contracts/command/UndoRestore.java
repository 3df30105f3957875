package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Put back the volumes a restore replaced (while they are retained), and start the database on them. */
public record UndoRestore(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @NotNull @Pattern(regexp = Names.BACKUP_ID, message = Names.BACKUP_ID_MESSAGE) String restoreId,
        @Size(max = 512) String reason) implements ClusterCommand {
}
