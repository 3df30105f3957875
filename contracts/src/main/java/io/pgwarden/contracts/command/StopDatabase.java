package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A planned outage of a managed database: record its replica count on the StatefulSet, scale it to 0, and wait
 * until its pod is gone and its volumes are detached. While it is stopped, failover leaves it alone and says why.
 *
 * @param dryRun only say the plan and each safety verdict; change nothing
 */
public record StopDatabase(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        boolean dryRun,
        @Size(max = 512) String reason) implements PlannedCommand {
}
