package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One record of the event stream, made ready once for every client: its SSE name, its {@code data} line and the
 * nodes and clusters it names (for the filters).
 *
 * @param names what the event is about: the payload's {@code node} and {@code subject} (a node name or
 *              {@code namespace/cluster}) and the CloudEvents subject
 */
public record StreamEvent(TopicPartition partition, long offset, String name, String data, Set<String> names) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The name of the event that says a resume lost events to retention (see {@link #gap}). */
    public static final String GAP = "gap";
    private static final Map<String, String> NAMES = Map.of(
            Topics.ACTIVITY, "activity", Topics.NODE_HEALTH, "health", Topics.COMMAND_STATUS, "command-status");
    /** Payload fields that name a node or a cluster (ActivityRecorded, CommandStatusChanged, NodeHealthChanged). */
    private static final String[] NAMING_FIELDS = {"node", "subject"};

    /**
     * Events a resuming client cannot have: the topic's partition now starts at {@code earliest}, after its cursor's
     * {@code from}. Like Kubernetes' 410 Gone for a watch from a compacted resourceVersion, it tells the client to
     * reread what it shows rather than trust it is complete.
     */
    public static StreamEvent gap(TopicPartition partition, long from, long earliest) {
        ObjectNode data = JSON.createObjectNode();
        data.put("topic", partition.topic());
        data.put("partition", partition.partition());
        data.put("from", from);
        data.put("earliest", earliest);
        data.put("missed", earliest - from);
        return new StreamEvent(partition, earliest - 1, GAP, data.toString(), Set.of());
    }

    /**
     * The event of a record, as {@code {"type", "time", "subject", "data"}} with the payload as it is on Kafka.
     *
     * @throws IllegalArgumentException for a record without CloudEvents headers or a JSON object payload
     */
    public static StreamEvent of(ConsumerRecord<String, byte[]> record) {
        MessageMetadata metadata = CloudEventsKafka.metadata(record.headers());
        JsonNode payload;
        try {
            payload = record.value() == null ? null : JSON.readTree(record.value());
        } catch (IOException e) {
            throw new IllegalArgumentException("payload is not JSON: " + e.getMessage(), e);
        }
        if (payload == null || !payload.isObject()) {
            throw new IllegalArgumentException("payload is not a JSON object");
        }
        Set<String> names = new HashSet<>();
        for (String field : NAMING_FIELDS) {
            if (payload.path(field).isTextual()) {
                names.add(payload.get(field).asText());
            }
        }
        if (metadata.subject() != null) {
            names.add(metadata.subject());
        }
        ObjectNode data = JSON.createObjectNode();
        data.put("type", metadata.type());
        data.put("time", metadata.time().toString());
        data.put("subject", metadata.subject());
        data.set("data", payload);
        return new StreamEvent(new TopicPartition(record.topic(), record.partition()), record.offset(),
                NAMES.get(record.topic()), data.toString(), Set.copyOf(names));
    }
}
