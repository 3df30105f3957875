package io.pgwarden.contracts;

import java.util.List;

/**
 * The Kafka topics that form pgwarden's integration contract. The version is part of the name:
 * an incompatible change gets a new topic, never a silent change of an existing one.
 */
public final class Topics {
    public static final String NODE_HEALTH = "pgwarden.node-health.v1";
    public static final String POD_HEALTH = "pgwarden.pod-health.v1";
    public static final String COMMANDS = "pgwarden.commands.v1";
    public static final String COMMAND_STATUS = "pgwarden.command-status.v1";
    public static final String ACTIVITY = "pgwarden.activity.v1";
    public static final String DEAD_LETTER = "pgwarden.dead-letter.v1";

    /** Partitions per topic; keys (node, namespace/cluster, command id) keep each subject in order on one. */
    public static final int PARTITIONS = 3;

    public static final List<String> ALL =
            List.of(NODE_HEALTH, POD_HEALTH, COMMANDS, COMMAND_STATUS, ACTIVITY, DEAD_LETTER);

    private Topics() {
    }
}
