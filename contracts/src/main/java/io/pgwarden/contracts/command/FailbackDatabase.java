package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Undo the last move of a managed database: uncordon the node it left, only when the cordon is pgwarden's own
 * (a node an administrator cordoned stays cordoned), and with {@code moveBack} move the database back onto it.
 *
 * @param dryRun only say the plan and each safety verdict; change nothing
 */
public record FailbackDatabase(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        boolean moveBack,
        boolean dryRun,
        @Size(max = 512) String reason) implements PlannedCommand {
}
