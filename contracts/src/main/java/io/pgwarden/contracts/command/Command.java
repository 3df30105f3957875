package io.pgwarden.contracts.command;

/**
 * A request to change the cluster, carried on {@code pgwarden.commands.v1}. Its CloudEvents id is the
 * command id; every status and activity it causes carries that id as correlation id.
 */
public sealed interface Command permits CordonNode, UncordonNode, TakeBackup, RestoreBackup, DeleteBackup {

    /** The Kafka key and CloudEvents subject: a node name, or {@code namespace/cluster}. */
    String subject();
}
