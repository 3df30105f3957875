package io.pgwarden.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.DeleteBackupSchedule;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SetBackupSchedule;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.SnapshotDriver;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.command.UndoRestore;
import io.pgwarden.contracts.command.VerifyBackup;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.command.UnfenceNode;
import io.pgwarden.contracts.command.PauseFailover;
import io.pgwarden.contracts.command.ResumeFailover;
import io.pgwarden.contracts.event.PodHealthChanged;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

class ContractSchemasTest {
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    /** One full example of every message type. */
    static final List<Object> EXAMPLES = List.of(
            new CordonNode("node001", "kernel upgrade"),
            new UncordonNode("node001.example.com", null),
            new UnfenceNode("node001", false, "node repaired"),
            new PauseFailover("storage maintenance"),
            new ResumeFailover(null),
            new MoveDatabase("default", "pg-rook-sf", "node002", false, true, "kernel upgrade on node001"),
            new FailbackDatabase("default", "pg-rook-sf", true, false, null),
            new StopDatabase("default", "pg-rook-sf", false, "storage maintenance"),
            new StartDatabase("default", "pg-rook-sf", false, null),
            new TakeBackup("default", "pg-rook-sf", BackupMethod.ONLINE, SnapshotDriver.CSI, "before the migration",
                    Instant.parse("2026-11-23T10:00:00Z"), null),
            new SetBackupSchedule("default", "pg-rook-sf", "0 3 * * *", "Europe/Berlin", BackupMethod.ONLINE,
                    SnapshotDriver.CSI, 7, "P30D", true, "SELECT 1 FROM orders LIMIT 1", MissedSlots.RUN_ONCE, null),
            new DeleteBackupSchedule("default", "pg-rook-sf", "moved to the new cluster"),
            new RestoreBackup("default", "pg-rook-sf", "pg-rook-sf-20261123-100000", "bad migration"),
            new DeleteBackup("default", "pg-rook-sf", "pg-rook-sf-20261123-100000", false, null),
            new VerifyBackup("default", "pg-rook-sf", "pg-rook-sf-20261123-100000", null),
            new UndoRestore("default", "pg-rook-sf", "pg-rook-sf-20261123-100000", "restored the wrong one"),
            new NodeHealthChanged("node001", NodeReadiness.UNKNOWN, "NodeStatusUnknown", true,
                    List.of("node.kubernetes.io/unreachable:NoExecute"), NodeLiveness.UNREACHABLE,
                    "lease not renewed for 16 s; BMC reports PowerState Off", Instant.parse("2026-11-23T09:59:44.100Z"),
                    16_023L, "Off", false, "4711",
                    Instant.parse("2026-11-23T10:00:00.123Z"), 1_795_000_000_000_001L),
            new PodHealthChanged("default", "pg-rook-sf-0", "pg-rook-sf", "node001", "Running", true, false, false,
                    "4712", Instant.parse("2026-11-23T10:00:00.123Z"), 1_795_000_000_000_002L),
            new CommandStatusChanged("b0f5", "io.pgwarden.CordonNode", "node001", CommandState.RUNNING, "cordon",
                    null, "failover-service", 2, "alice"),
            new ActivityRecorded("node001", "NodeCordoned", true, "cordoned node node001"));

    @Test
    void every_message_type_has_an_example_that_conforms_to_its_schema() {
        assertThat(EXAMPLES).extracting(e -> MessageType.of(e.getClass()))
                .containsExactlyInAnyOrder(MessageType.values());
        for (Object example : EXAMPLES) {
            assertThat(ContractSchemas.violations(MessageType.of(example.getClass()), Json.write(example)))
                    .as(example.toString()).isEmpty();
            assertThat(VALIDATOR.validate(example)).as(example.toString()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"node\":\"Node_1\"}",
            "{\"node\":\"-node\"}",
            "{\"node\":\"\"}",
            "{\"node\":null}",
            "{}",
            "{\"node\":\"node001\",\"force\":true}",
    })
    void schema_and_validation_agree_on_bad_cordon_commands(String json) {
        assertThat(ContractSchemas.violations(MessageType.CORDON_NODE, json.getBytes(StandardCharsets.UTF_8)))
                .as("schema").isNotEmpty();
        boolean parsedAndValid;
        try {
            parsedAndValid = VALIDATOR.validate(Json.read(json.getBytes(StandardCharsets.UTF_8), CordonNode.class))
                    .isEmpty();
        } catch (java.io.IOException e) {
            parsedAndValid = false;
        }
        assertThat(parsedAndValid).as("Bean Validation").isFalse();
    }

    @Test
    void a_backup_method_outside_the_enum_breaks_the_schema() {
        byte[] json = "{\"namespace\":\"default\",\"cluster\":\"pg\",\"method\":\"TAR\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(ContractSchemas.violations(MessageType.TAKE_BACKUP, json)).isNotEmpty();
    }

    @Test
    void asyncapi_names_every_topic_and_every_message_type() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/asyncapi.yaml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        List<String> addresses = new ArrayList<>();
        doc.get("channels").forEach(c -> addresses.add(c.get("address").asText()));
        assertThat(addresses).containsExactlyInAnyOrderElementsOf(Topics.ALL);

        List<String> names = StreamSupport.stream(doc.get("components").get("messages").spliterator(), false)
                .map(m -> m.get("name").asText()).toList();
        for (MessageType type : MessageType.values()) {
            assertThat(names).contains(type.ceType());
            JsonNode channel = StreamSupport.stream(doc.get("channels").spliterator(), false)
                    .filter(c -> c.get("address").asText().equals(type.topic())).findFirst().orElseThrow();
            assertThat(channel.get("messages").has(type.bodyClass().getSimpleName()))
                    .as(type + " listed on " + type.topic()).isTrue();
        }
    }
}
