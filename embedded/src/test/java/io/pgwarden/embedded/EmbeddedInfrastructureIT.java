package io.pgwarden.embedded;

import io.pgwarden.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedInfrastructureIT {

    @TempDir
    Path dir;

    @Test
    void kafka_broker_has_the_topics_and_carries_a_record() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(0, dir)) {
            String bootstrap = kafka.bootstrapServers();
            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.ACTIVITY, "default/pg", "hello")).get();
            }
            try (var consumer = new KafkaConsumer<String, String>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "it",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                assertThat(consumer.listTopics().keySet()).containsAll(Topics.ALL);
                assertThat(consumer.partitionsFor(Topics.COMMANDS)).hasSize(Topics.PARTITIONS);
                consumer.subscribe(List.of(Topics.ACTIVITY));
                List<ConsumerRecord<String, String>> got = new ArrayList<>();
                Instant deadline = Instant.now().plusSeconds(60);
                while (got.isEmpty() && Instant.now().isBefore(deadline)) {
                    consumer.poll(Duration.ofMillis(500)).forEach(got::add);
                }
                assertThat(got).extracting(ConsumerRecord::value).containsExactly("hello");
            }
        }
    }

    @Test
    void postgres_17_answers_and_has_the_catalog_database() throws Exception {
        try (CatalogDatabase db = CatalogDatabase.start(0, dir);
             Connection c = DriverManager.getConnection(db.jdbcUrl(), CatalogDatabase.USER, "");
             ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            assertThat(rs.getInt(1)).as("pg_backup_start needs 15+").isGreaterThanOrEqualTo(170000);
        }
    }

    @Test
    void a_taken_port_is_refused_with_its_name() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> CatalogDatabase.start(taken.getLocalPort(), dir))
                    .hasMessageContaining("PostgreSQL cannot use port " + taken.getLocalPort());
        }
    }
}
