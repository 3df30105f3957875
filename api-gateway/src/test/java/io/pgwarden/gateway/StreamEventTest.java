package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.ActivityRecorded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamEventTest {

    @Test
    void an_activity_record_becomes_one_data_line_with_its_cloud_event_attributes_and_its_payload() {
        MessageMetadata metadata = new MessageMetadata("e-1", "/pgwarden/failover-service",
                MessageType.ACTIVITY_RECORDED.ceType(), Instant.parse("2026-11-27T05:00:00Z"), "db1/pg-a", "c-1");
        byte[] payload = Json.write(new ActivityRecorded("db1/pg-a", "DatabaseMoved", true, "moved to node002"));

        StreamEvent event = StreamEvent.of(record(Topics.ACTIVITY, new RecordHeaders(CloudEventsKafka.headers(metadata)
                .toArray()), payload));

        assertThat(event.name()).isEqualTo("activity");
        assertThat(event.offset()).isEqualTo(7);
        assertThat(event.names()).containsExactly("db1/pg-a");
        assertThat(event.data()).doesNotContain("\n").isEqualTo("{\"type\":\"" + MessageType.ACTIVITY_RECORDED.ceType()
                + "\",\"time\":\"2026-11-27T05:00:00Z\",\"subject\":\"db1/pg-a\",\"data\":"
                + new String(payload, StandardCharsets.UTF_8) + "}");
    }

    @Test
    void a_record_without_cloud_events_headers_or_a_json_object_is_refused() {
        assertThatThrownBy(() -> StreamEvent.of(record(Topics.ACTIVITY, new RecordHeaders(), "{}".getBytes())))
                .isInstanceOf(RuntimeException.class);
        MessageMetadata metadata = new MessageMetadata("e-1", "/x", MessageType.ACTIVITY_RECORDED.ceType(),
                Instant.EPOCH, null, "e-1");
        assertThatThrownBy(() -> StreamEvent.of(record(Topics.ACTIVITY, new RecordHeaders(
                CloudEventsKafka.headers(metadata).toArray()), "[1]".getBytes())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object");
    }

    private static ConsumerRecord<String, byte[]> record(String topic, RecordHeaders headers, byte[] value) {
        return new ConsumerRecord<>(topic, 1, 7, 0L, TimestampType.CREATE_TIME, -1, -1, "k", value, headers,
                Optional.empty());
    }
}
