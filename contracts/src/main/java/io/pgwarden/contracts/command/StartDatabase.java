package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * End a planned outage: scale the StatefulSet back to the replica count its stop recorded, and wait until the
 * database accepts a write.
 *
 * @param dryRun only say the plan and each safety verdict; change nothing
 */
public record StartDatabase(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        boolean dryRun,
        @Size(max = 512) String reason) implements PlannedCommand {
}
