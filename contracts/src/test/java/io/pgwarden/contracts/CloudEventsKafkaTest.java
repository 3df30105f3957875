package io.pgwarden.contracts;

import io.pgwarden.contracts.command.CordonNode;
import jakarta.validation.Validation;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloudEventsKafkaTest {
    private final MessageDecoder decoder = new MessageDecoder(Validation.buildDefaultValidatorFactory().getValidator());
    private final MessageMetadata metadata = new MessageMetadata("id-1", "/pgwarden/api-gateway",
            MessageType.CORDON_NODE.ceType(), Instant.parse("2026-11-23T10:00:00Z"), "node001", "corr-1");

    @Test
    void binary_mode_headers_carry_every_attribute_and_round_trip() {
        Headers headers = CloudEventsKafka.headers(metadata);

        assertThat(CloudEventsKafka.header(headers, "ce_specversion")).contains("1.0");
        assertThat(CloudEventsKafka.header(headers, "ce_type")).contains("io.pgwarden.CordonNode");
        assertThat(CloudEventsKafka.header(headers, "ce_time")).contains("2026-11-23T10:00:00Z");
        assertThat(CloudEventsKafka.header(headers, "content-type")).contains("application/json");
        assertThat(CloudEventsKafka.metadata(headers)).isEqualTo(metadata);
    }

    @Test
    void the_requester_travels_as_an_extension_attribute_and_is_optional() {
        MessageMetadata asked = metadata.requestedBy("alice");
        Headers headers = CloudEventsKafka.headers(asked);

        assertThat(CloudEventsKafka.header(headers, "ce_requestedby")).contains("alice");
        assertThat(CloudEventsKafka.metadata(headers)).isEqualTo(asked);
        assertThat(CloudEventsKafka.metadata(CloudEventsKafka.headers(metadata)).requestedBy()).isNull();
    }

    @Test
    void a_status_without_a_requester_as_published_before_it_existed_still_reads() {
        MessageMetadata status = new MessageMetadata("s-1", "/pgwarden/failover-service",
                MessageType.COMMAND_STATUS_CHANGED.ceType(), Instant.parse("2026-11-23T10:00:01Z"), "node001", "id-1");
        byte[] old = ("{\"commandId\":\"id-1\",\"commandType\":\"io.pgwarden.CordonNode\",\"subject\":\"node001\","
                + "\"state\":\"SUCCEEDED\",\"service\":\"failover-service\",\"sequence\":3}")
                .getBytes(StandardCharsets.UTF_8);

        Envelope<Object> decoded = decoder.decode(CloudEventsKafka.headers(status), old);

        assertThat(decoded.body()).isInstanceOfSatisfying(io.pgwarden.contracts.event.CommandStatusChanged.class,
                s -> assertThat(s.requestedBy()).isNull());
    }

    @Test
    void decoding_gives_the_typed_body() {
        Envelope<Object> decoded = decoder.decode(CloudEventsKafka.headers(metadata),
                Json.write(new CordonNode("node001", "maintenance")));

        assertThat(decoded.body()).isEqualTo(new CordonNode("node001", "maintenance"));
        assertThat(decoded.metadata().correlationId()).isEqualTo("corr-1");
    }

    @Test
    void malformed_json_keeps_the_id_so_the_command_can_be_rejected() {
        assertThatThrownBy(() -> decoder.decode(CloudEventsKafka.headers(metadata),
                "{\"node\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.getMessage()).startsWith("body of io.pgwarden.CordonNode is invalid: ");
                    assertThat(e.metadata().id()).isEqualTo("id-1");
                });
    }

    @Test
    void a_wrong_time_header_is_named() {
        Headers headers = CloudEventsKafka.headers(metadata);
        headers.remove("ce_time");
        headers.add("ce_time", "yesterday".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> CloudEventsKafka.metadata(headers))
                .hasMessageContaining("ce_time is not an RFC 3339 time: yesterday");
    }

    @Test
    void an_empty_body_is_refused() {
        assertThatThrownBy(() -> decoder.decode(CloudEventsKafka.headers(metadata), new byte[0]))
                .hasMessageContaining("empty body");
    }
}
