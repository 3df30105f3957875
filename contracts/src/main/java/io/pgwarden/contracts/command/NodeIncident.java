package io.pgwarden.contracts.command;

import io.pgwarden.contracts.Names;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.time.Instant;

/**
 * What failover-service gives itself when node-watcher reports a node it no longer hears from: handle the
 * incident (confirm, fence, release, recover, unfence). Never read from Kafka: it has no message type, and a
 * command with its name is refused as unknown.
 *
 * @param node           the node
 * @param suspectedAt    when node-watcher observed it suspect or unreachable
 * @param leaseRenewedAt the lease renewal node-watcher last saw, if any
 */
public record NodeIncident(
        @NotNull @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE) String node,
        @NotNull Instant suspectedAt, Instant leaseRenewedAt) implements NodeCommand {
}
