package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Mark a node unschedulable, as {@code kubectl cordon} does. */
public record CordonNode(
        @NotNull @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String node,
        @Size(max = 512) String reason) implements NodeCommand {
}
