package io.pgwarden.contracts.command;

/**
 * A request to change the cluster, carried on {@code pgwarden.commands.v1}. Its CloudEvents id is the
 * command id; every status and activity it causes carries that id as correlation id. What it acts on is
 * said by its type: a {@link NodeCommand} acts on a node, a {@link ClusterCommand} on a managed database.
 */
public sealed interface Command permits NodeCommand, ClusterCommand, FailoverCommand {

    /** The Kafka key and CloudEvents subject: a node name, or {@code namespace/cluster}. */
    String subject();
}
