package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.testing.TopicProbe;

import java.time.Instant;
import java.util.UUID;

/** Sends command statuses as failover-service would, keyed by command id unless a test says otherwise. */
final class Statuses {
    private Statuses() {
    }

    static void send(TopicProbe probe, String commandId, CommandState state, long sequence, String step,
                     String reason) {
        send(probe, commandId, commandId, state, sequence, step, reason);
    }

    /** With key: a marker for another command on the same partition as the one under test. */
    static void send(TopicProbe probe, String commandId, String key, CommandState state, long sequence, String step,
                     String reason) {
        send(probe, commandId, key, state, sequence, step, reason, null);
    }

    /** With who asked for the command, as the services repeat it in every status. */
    static void send(TopicProbe probe, String commandId, String key, CommandState state, long sequence, String step,
                     String reason, String requestedBy) {
        MessageMetadata metadata = new MessageMetadata(UUID.randomUUID().toString(), "/test/failover",
                MessageType.COMMAND_STATUS_CHANGED.ceType(), Instant.now(), commandId, commandId);
        probe.sendRaw(Topics.COMMAND_STATUS, key, CloudEventsKafka.headers(metadata), Json.write(
                new CommandStatusChanged(commandId, MessageType.CORDON_NODE.ceType(), "node001", state, step, reason,
                        "failover-service", sequence, requestedBy)));
    }
}
