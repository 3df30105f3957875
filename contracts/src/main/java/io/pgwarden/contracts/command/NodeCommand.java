package io.pgwarden.contracts.command;

/** A command that acts on one node; keyed by the node's name. */
public sealed interface NodeCommand extends Command permits CordonNode, UncordonNode, UnfenceNode, NodeIncident {

    String node();

    @Override
    default String subject() {
        return node();
    }
}
