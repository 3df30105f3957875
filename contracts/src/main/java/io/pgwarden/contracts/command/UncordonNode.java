package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Make a node schedulable again, as {@code kubectl uncordon} does. */
public record UncordonNode(
        @NotNull @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String node,
        @Size(max = 512) String reason) implements NodeCommand {
}
