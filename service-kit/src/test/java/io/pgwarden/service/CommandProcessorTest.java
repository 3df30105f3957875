package io.pgwarden.service;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.InvalidMessageException;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageDecoder;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import java.util.Set;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import jakarta.validation.Validation;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandProcessorTest {
    private static final Set<MessageType> FAILOVER = Set.of(MessageType.CORDON_NODE, MessageType.UNCORDON_NODE);
    private static final Set<MessageType> BACKUP = Set.of(MessageType.TAKE_BACKUP, MessageType.RESTORE_BACKUP,
            MessageType.DELETE_BACKUP);
    private final InMemoryLedger ledger = new InMemoryLedger();
    private final List<CommandStatusChanged> sent = new ArrayList<>();
    private final CommandProcessor processor = new CommandProcessor(
            new MessageDecoder(Validation.buildDefaultValidatorFactory().getValidator()), ledger,
            (status, correlation) -> sent.add(status), "failover-service");
    private final AtomicInteger runs = new AtomicInteger();
    private final CommandProcessor.Executor cordon = (command, metadata, steps) -> {
        runs.incrementAndGet();
        steps.running("cordon");
        return CommandProcessor.Outcome.succeeded("cordoned " + command.subject());
    };

    @Test
    void a_valid_command_goes_accepted_running_succeeded() {
        processor.process(headers(MessageType.CORDON_NODE, "c1"), Json.write(new CordonNode("node001", null)),
                FAILOVER, true, cordon);

        assertThat(sent).extracting(CommandStatusChanged::state)
                .containsExactly(CommandState.ACCEPTED, CommandState.RUNNING, CommandState.SUCCEEDED);
        assertThat(sent.get(1).step()).isEqualTo("cordon");
        assertThat(sent.get(2).reason()).isEqualTo("cordoned node001");
        assertThat(ledger.find("c1")).map(CommandLedger.Entry::state).contains(CommandState.SUCCEEDED);
    }

    @Test
    void a_redelivered_command_is_not_run_twice_and_its_final_status_is_sent_again() {
        byte[] body = Json.write(new CordonNode("node001", null));
        processor.process(headers(MessageType.CORDON_NODE, "c1"), body, FAILOVER, true, cordon);
        sent.clear();

        processor.process(headers(MessageType.CORDON_NODE, "c1"), body, FAILOVER, true, cordon);

        assertThat(runs).hasValue(1);
        assertThat(sent).extracting(CommandStatusChanged::state).containsExactly(CommandState.SUCCEEDED);
    }

    @Test
    void a_command_interrupted_mid_run_is_resumed() {
        ledger.accept("c1", MessageType.CORDON_NODE.ceType(), "node001");
        ledger.update("c1", CommandState.RUNNING, "cordon", null);

        processor.process(headers(MessageType.CORDON_NODE, "c1"), Json.write(new CordonNode("node001", null)),
                FAILOVER, true, cordon);

        assertThat(runs).hasValue(1);
        assertThat(ledger.find("c1")).map(CommandLedger.Entry::state).contains(CommandState.SUCCEEDED);
    }

    @Test
    void an_invalid_body_is_rejected_with_the_reason_and_rethrown_for_the_dead_letter_topic() {
        byte[] body = "{\"node\":\"Node_1\",\"colour\":\"red\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> processor.process(headers(MessageType.CORDON_NODE, "c2"), body, FAILOVER, true, cordon))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("unknown field 'colour'");
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(CommandState.REJECTED);
            assertThat(s.commandId()).isEqualTo("c2");
            assertThat(s.reason()).contains("unknown field 'colour'");
        });
        assertThat(runs).hasValue(0);
    }

    @Test
    void a_name_that_breaks_the_kubernetes_rules_is_rejected() {
        byte[] body = Json.write(new CordonNode("Node_1", null));

        assertThatThrownBy(() -> processor.process(headers(MessageType.CORDON_NODE, "c3"), body, FAILOVER, true, cordon))
                .hasMessageContaining("node must be a DNS-1123 subdomain");
        assertThat(sent).extracting(CommandStatusChanged::state).containsExactly(CommandState.REJECTED);
    }

    @Test
    void another_services_command_is_left_to_it() {
        byte[] body = Json.write(new TakeBackup("default", "pg-rook-sf", BackupMethod.ONLINE_HOT, null));

        processor.process(headers(MessageType.TAKE_BACKUP, "c4"), body, FAILOVER, true, cordon);

        assertThat(sent).isEmpty();
        assertThat(runs).hasValue(0);
    }

    @Test
    void a_message_nobody_can_attribute_is_dead_lettered_by_the_failover_service_only() {
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> processor.process(new RecordHeaders(), garbage, FAILOVER, true, cordon))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("ce_specversion");
        processor.process(new RecordHeaders(), garbage, BACKUP, false, cordon);
        assertThat(sent).isEmpty();
    }

    @Test
    void an_unknown_type_with_an_id_is_rejected_once() {
        Headers headers = headers(MessageType.CORDON_NODE, "c5");
        headers.remove(CloudEventsKafka.H_TYPE);
        headers.add(CloudEventsKafka.H_TYPE, "io.pgwarden.Reboot".getBytes(StandardCharsets.UTF_8));

        processor.process(headers, "{}".getBytes(StandardCharsets.UTF_8), BACKUP, false, cordon);
        assertThat(sent).isEmpty();
        assertThatThrownBy(() -> processor.process(headers, "{}".getBytes(StandardCharsets.UTF_8), FAILOVER, true, cordon))
                .hasMessageContaining("unknown message type io.pgwarden.Reboot");
        assertThat(sent).extracting(CommandStatusChanged::state).containsExactly(CommandState.REJECTED);
    }

    @Test
    void an_executor_that_throws_fails_the_command_with_the_reason() {
        processor.process(headers(MessageType.CORDON_NODE, "c6"), Json.write(new CordonNode("node001", null)),
                FAILOVER, true, (command, metadata, steps) -> {
                    throw new IllegalStateException("API server unreachable");
                });

        assertThat(sent).last().satisfies(s -> {
            assertThat(s.state()).isEqualTo(CommandState.FAILED);
            assertThat(s.reason()).contains("API server unreachable");
        });
    }

    private static Headers headers(MessageType type, String id) {
        return CloudEventsKafka.headers(new MessageMetadata(id, "/test", type.ceType(),
                Instant.parse("2026-11-23T10:00:00Z"), "node001", id));
    }

    private static final class InMemoryLedger implements CommandLedger {
        private final Map<String, Entry> entries = new HashMap<>();

        @Override
        public Optional<Entry> find(String commandId) {
            return Optional.ofNullable(entries.get(commandId));
        }

        @Override
        public boolean accept(String commandId, String commandType, String subject) {
            return entries.putIfAbsent(commandId,
                    new Entry(commandId, commandType, subject, CommandState.ACCEPTED, null, null)) == null;
        }

        @Override
        public void update(String commandId, CommandState state, String step, String reason) {
            Entry e = entries.get(commandId);
            entries.put(commandId, new Entry(commandId, e.commandType(), e.subject(), state, step, reason));
        }
    }
}
