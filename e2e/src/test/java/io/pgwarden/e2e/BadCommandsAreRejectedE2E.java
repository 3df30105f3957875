package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.testing.TopicProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Another system puts a bad command on Kafka: it lands on the dead-letter topic with the reason, its
 * REJECTED status shows on the gateway, and the bad REST request of a person gets problem+json.
 */
@ExtendWith(SystemExtension.class)
class BadCommandsAreRejectedE2E {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void a_bad_command_from_another_system_is_dead_lettered_and_shows_rejected(RunningSystem system) throws Exception {
        try (TopicProbe probe = new TopicProbe(system.stack().kafkaBootstrapServers(), Topics.DEAD_LETTER)) {
            MessageMetadata bad = MessageMetadata.create("/other-system", MessageType.CORDON_NODE, Instant.now(),
                    "node001", null);
            probe.sendRaw(Topics.COMMANDS, "node001", CloudEventsKafka.headers(bad),
                    "{\"node\":\"node001\",\"drain\":true}".getBytes(StandardCharsets.UTF_8));

            ConsumerRecord<String, byte[]> dead = probe.await(r -> CloudEventsKafka.header(r.headers(),
                    CloudEventsKafka.H_ID).filter(bad.id()::equals).isPresent(), WAIT);
            assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-reason")).get().asString()
                    .contains("unknown field 'drain'");
            JsonNode[] status = new JsonNode[1];
            await().atMost(WAIT).until(() -> {
                var response = system.get("/api/v1/commands/" + bad.id());
                status[0] = response.statusCode() == 200 ? Json.MAPPER.readTree(response.body()) : null;
                return status[0] != null && "REJECTED".equals(status[0].get("state").asText());
            });
            assertThat(status[0].get("reason").asText()).contains("unknown field 'drain'");
        }
    }

    @Test
    void a_bad_rest_request_gets_problem_json(RunningSystem system) throws Exception {
        var response = system.post("/api/v1/nodes/NODE%20ONE/cordon", "{}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        assertThat(Json.MAPPER.readTree(response.body()).get("detail").asText()).contains("DNS-1123 subdomain");
    }
}
