package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Move a managed database to another node, as a drain does: cordon its node (remembered as pgwarden's cordon),
 * evict its pod through the Eviction API (PodDisruptionBudgets hold it unless {@code ignoreDisruptionBudget}), and
 * wait until it is Ready elsewhere and accepts a write. With {@code targetNode}, it lands there.
 *
 * @param dryRun only say the plan and each safety verdict; change nothing
 */
public record MoveDatabase(
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String namespace,
        @NotNull @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE) String cluster,
        @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String targetNode,
        boolean ignoreDisruptionBudget,
        boolean dryRun,
        @Size(max = 512) String reason) implements PlannedCommand {
}
