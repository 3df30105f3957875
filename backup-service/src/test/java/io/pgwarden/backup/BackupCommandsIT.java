package io.pgwarden.backup;

import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static io.pgwarden.testing.TopicProbe.correlatedTo;
import static io.pgwarden.testing.TopicProbe.ofType;
import static org.assertj.core.api.Assertions.assertThat;

/** backup-service answers its commands, and only its own, on a real broker and PostgreSQL. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class BackupCommandsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String KEY = "default/pg-rook-sf";

    @KubernetesTestServer
    KubernetesServer server;

    @Test
    void a_backup_of_a_missing_cluster_fails_with_the_reason_and_of_an_existing_one_says_it_is_not_available() {
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMAND_STATUS)) {
            MessageMetadata missing = probe.send("/test", new TakeBackup("default", "nope", BackupMethod.ONLINE_HOT, null), KEY);
            assertThat(finalStatus(probe, missing.id()).reason())
                    .isEqualTo("cluster default/nope does not exist (no StatefulSet nope in namespace default)");

            server.getClient().apps().statefulSets().inNamespace("default").resource(new StatefulSetBuilder()
                    .withNewMetadata().withName("pg-rook-sf").withNamespace("default").endMetadata().build()).create();
            MessageMetadata existing = probe.send("/test",
                    new TakeBackup("default", "pg-rook-sf", BackupMethod.OFFLINE_COLD, null), KEY);
            CommandStatusChanged status = finalStatus(probe, existing.id());
            assertThat(status.state().name()).isEqualTo("FAILED");
            assertThat(status.reason()).contains("not available in this version");
            assertThat(status.service()).isEqualTo("backup-service");
            probe.seen().forEach(TopicProbe::assertConformsToContract);
        }
    }

    @Test
    void a_node_command_is_left_to_the_failover_service_and_a_bad_backup_command_is_rejected() {
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(),
                Topics.COMMAND_STATUS, Topics.DEAD_LETTER)) {
            MessageMetadata cordon = probe.send("/test", new CordonNode("node001", null), KEY);
            MessageMetadata bad = MessageMetadata.create("/test", MessageType.TAKE_BACKUP, Instant.now(), KEY, null);
            probe.sendRaw(Topics.COMMANDS, KEY, CloudEventsKafka.headers(bad),
                    "{\"namespace\":\"default\",\"cluster\":\"pg\",\"method\":\"TAR\"}".getBytes(StandardCharsets.UTF_8));

            CommandStatusChanged rejected = finalStatus(probe, bad.id());
            assertThat(rejected.state().name()).isEqualTo("REJECTED");
            assertThat(rejected.reason()).contains("field 'method'");
            probe.await(r -> r.topic().equals(Topics.DEAD_LETTER)
                    && CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_ID).filter(bad.id()::equals).isPresent(), WAIT);
            // Same key, same partition: the cordon before the bad command was passed over, not answered.
            assertThat(probe.seen()).noneMatch(correlatedTo(cordon.id()));
        }
    }

    private static CommandStatusChanged finalStatus(TopicProbe probe, String id) {
        ConsumerRecord<String, byte[]> r = probe.await(ofType(MessageType.COMMAND_STATUS_CHANGED)
                .and(correlatedTo(id)).and(x -> status(x).state().isFinal()), WAIT);
        return status(r);
    }

    private static CommandStatusChanged status(ConsumerRecord<String, byte[]> record) {
        try {
            return Json.read(record.value(), CommandStatusChanged.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
