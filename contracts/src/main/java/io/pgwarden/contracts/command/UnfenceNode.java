package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Lift pgwarden's fence of a node after its incident recovered: remove the out-of-service taint, lift the
 * NetworkFence and, with {@code powerOn}, power a Redfish-fenced node on again. Refused while an old process of
 * a released pod could still write.
 */
public record UnfenceNode(
        @NotNull @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String node,
        boolean powerOn,
        @Size(max = 512) String reason) implements NodeCommand {
}
