package io.pgwarden.e2e;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Topics;
import io.pgwarden.testing.TopicProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message the services really sent, on every topic but the dead-letter one, is a CloudEvent whose
 * body validates against its published JSON Schema. Runs after a command so that statuses, activity and
 * health events exist.
 */
@ExtendWith(SystemExtension.class)
class MessagesFollowTheContractE2E {

    @Test
    void everything_the_services_sent_conforms_to_the_schemas(RunningSystem system) {
        CordonThroughTheGatewayE2E.finished(system, system.post("/api/v1/nodes/node003/cordon", "{}"));
        try (TopicProbe probe = new TopicProbe(system.stack().kafkaBootstrapServers(), Topics.NODE_HEALTH,
                Topics.POD_HEALTH, Topics.COMMAND_STATUS, Topics.ACTIVITY, Topics.COMMANDS)) {
            // Every topic read up to a record of its own: the topics hold what earlier scenarios sent (a schedule's
            // many commands among it), so one topic's record does not mean the others were read yet.
            for (String topic : List.of(Topics.NODE_HEALTH, Topics.COMMAND_STATUS, Topics.ACTIVITY, Topics.COMMANDS)) {
                probe.await(r -> r.topic().equals(topic) && CloudEventsKafka.header(r.headers(),
                        CloudEventsKafka.H_SOURCE).filter(s -> s.startsWith("/pgwarden/")).isPresent(),
                        Duration.ofSeconds(60));
            }
            List<ConsumerRecord<String, byte[]>> sent = probe.seen().stream()
                    .filter(r -> CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_SOURCE)
                            .filter(s -> s.startsWith("/pgwarden/")).isPresent())
                    .toList();

            assertThat(sent).extracting(ConsumerRecord::topic)
                    .contains(Topics.NODE_HEALTH, Topics.COMMAND_STATUS, Topics.ACTIVITY, Topics.COMMANDS);
            sent.forEach(TopicProbe::assertConformsToContract);
        }
    }
}
