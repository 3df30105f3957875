package io.pgwarden.backup;

import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import static io.pgwarden.testing.TopicProbe.correlatedTo;
import static org.assertj.core.api.Assertions.assertThat;

/** backup-service answers its commands, and only its own, as operations; on a real broker and PostgreSQL. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class BackupCommandsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String KEY = "default/pg-rook-sf";

    @KubernetesTestServer
    KubernetesServer server;

    private TopicProbe probe;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMAND_STATUS, Topics.DEAD_LETTER,
                Topics.ACTIVITY);
        server.getClient().apps().statefulSets().inNamespace("default").resource(new StatefulSetBuilder()
                .withNewMetadata().withName("pg-rook-sf").withNamespace("default").endMetadata().build())
                .createOr(r -> r.update());
    }

    @AfterEach
    void tearDown() {
        probe.close();
        tail.close();
        server.getClient().resources(Lease.class, LeaseList.class).inNamespace("default").delete();
    }

    @Test
    void a_backup_of_a_missing_or_unmanaged_cluster_is_rejected_and_holds_the_lock_while_it_decides() {
        MessageMetadata missing = probe.send("/test", new TakeBackup("default", "nope", BackupMethod.ONLINE, null, null, null, null),
                "default/nope");
        assertThat(tail.awaitFinal(missing.id(), WAIT).reason())
                .isEqualTo("no StatefulSet nope in namespace default: no such database (check the namespace and the"
                        + " name)");

        MessageMetadata existing = probe.send("/test",
                new TakeBackup("default", "pg-rook-sf", BackupMethod.COLD, null, null, null, null), KEY);
        CommandStatusChanged status = tail.awaitFinal(existing.id(), WAIT);
        assertThat(status.state()).isEqualTo(CommandState.REJECTED);
        assertThat(status.reason()).contains("is not managed by pgwarden");
        assertThat(status.service()).isEqualTo("backup-service");
        // It held the database's lease while it ran and gave it back.
        tail.await(TopicProbe.ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(existing.id()))
                .and(r -> TopicProbe.text(r).contains("DatabaseLocked")), WAIT);
        Lease lease = lease();
        assertThat(lease).isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isNull();
        tail.matching(r -> true).forEach(TopicProbe::assertConformsToContract);
    }

    @Test
    void a_backup_of_a_database_busy_with_another_operation_is_rejected_naming_the_holder() {
        ZonedDateTime started = ZonedDateTime.ofInstant(Instant.now(), ZoneOffset.UTC);
        server.getClient().resources(Lease.class, LeaseList.class).inNamespace("default").resource(new LeaseBuilder()
                .withNewMetadata().withName("pgwarden-op-pg-rook-sf").withNamespace("default")
                .addToAnnotations("pgwarden.io/operation-kind", "FailoverCluster")
                .addToAnnotations("pgwarden.io/service", "failover-service").endMetadata()
                .withNewSpec().withHolderIdentity("incident-7").withLeaseDurationSeconds(30)
                .withAcquireTime(started).withRenewTime(started).endSpec().build()).create();

        MessageMetadata backup = probe.send("/test", new TakeBackup("default", "pg-rook-sf", BackupMethod.ONLINE, null, null, null,
                null), KEY);
        CommandStatusChanged rejected = tail.awaitFinal(backup.id(), WAIT);
        assertThat(rejected.state()).isEqualTo(CommandState.REJECTED);
        assertThat(rejected.reason()).startsWith("database default/pg-rook-sf is busy with FailoverCluster incident-7"
                + " of failover-service, started ");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("incident-7");
    }

    @Test
    void a_node_command_is_left_to_the_failover_service_and_a_bad_backup_command_is_rejected() {
        MessageMetadata cordon = probe.send("/test", new CordonNode("node001", null), KEY);
        MessageMetadata bad = MessageMetadata.create("/test", MessageType.TAKE_BACKUP, Instant.now(), KEY, null);
        probe.sendRaw(Topics.COMMANDS, KEY, CloudEventsKafka.headers(bad),
                "{\"namespace\":\"default\",\"cluster\":\"pg\",\"method\":\"TAR\"}".getBytes(StandardCharsets.UTF_8));
        // Sent after both on the same key, answered on the cordon's status partition: once its status is
        // read, a status for the cordon would have been read before it.
        MessageMetadata marker = new MessageMetadata(TopicTail.idOnSamePartitionAs(cordon.id(), Topics.PARTITIONS),
                "/test", MessageType.TAKE_BACKUP.ceType(), Instant.now(), KEY, null);
        probe.sendRaw(Topics.COMMANDS, KEY, CloudEventsKafka.headers(marker),
                Json.write(new TakeBackup("default", "nope", BackupMethod.ONLINE, null, null, null, null)));

        CommandStatusChanged rejected = tail.awaitFinal(bad.id(), WAIT);
        assertThat(rejected.state()).isEqualTo(CommandState.REJECTED);
        assertThat(rejected.reason()).contains("field 'method'");
        tail.await(r -> r.topic().equals(Topics.DEAD_LETTER)
                && CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_ID).filter(bad.id()::equals).isPresent(), WAIT);
        tail.awaitFinal(marker.id(), WAIT);
        assertThat(tail.matching(correlatedTo(cordon.id()))).isEmpty();
    }

    private Lease lease() {
        return server.getClient().resources(Lease.class, LeaseList.class).inNamespace("default")
                .withName("pgwarden-op-pg-rook-sf").get();
    }
}
