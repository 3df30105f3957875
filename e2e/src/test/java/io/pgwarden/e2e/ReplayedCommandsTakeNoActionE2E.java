package io.pgwarden.e2e;

import io.pgwarden.contracts.Topics;
import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.sandbox.api.ApiRequests;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A failover-service replica with a new consumer group reads the command topic from its first record, over
 * every command this run has sent: each is already recorded (and final, or running on the leader), so it
 * records nothing again and nothing acts on the cluster twice.
 */
@ExtendWith(SystemExtension.class)
class ReplayedCommandsTakeNoActionE2E {
    private static final String GROUP = "pgwarden-failover-service-replay";

    @Test
    void a_new_consumer_group_over_old_commands_records_and_changes_nothing(RunningSystem system) throws Exception {
        // Some commands on the topic first, whatever ran before this scenario.
        CordonThroughTheGatewayE2E.finished(system, system.post("/api/v1/nodes/node003/uncordon", "{}"));
        long operationsBefore = operations(system);
        ApiRequests api = system.stack().sandbox().apiRequests();
        int writesBefore = api.writes().size();

        system.stack().startReplica("failover-service", Map.of("MP_MESSAGING_INCOMING_COMMANDS_GROUP_ID", GROUP));

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                system.stack().kafkaBootstrapServers()))) {
            Map<TopicPartition, Long> ends = admin.listOffsets(IntStream.range(0, Topics.PARTITIONS).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(Topics.COMMANDS, p), p -> OffsetSpec.latest())))
                    .all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isPositive();
            // The group commits a batch's offsets only after the batch was recorded (or found recorded).
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata().get();
                return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                        || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue());
            });
        }

        assertThat(operations(system)).isEqualTo(operationsBefore);
        assertThat(api.writes().subList(writesBefore, api.writes().size()).stream()
                .filter(w -> w.path().startsWith("/api/v1/nodes/") && w.method().equals("PATCH")
                        && !w.path().endsWith("/status") && !w.byControlPlane())).isEmpty();
    }

    private static long operations(RunningSystem system) throws Exception {
        Properties user = new Properties();
        user.setProperty("user", CatalogDatabase.USER);
        try (Connection c = DriverManager.getConnection(system.stack().catalogJdbcUrl(), user);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM failover.operation")) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
