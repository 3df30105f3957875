package io.pgwarden.operations.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.contracts.Envelope;
import io.pgwarden.contracts.InvalidMessageException;
import io.pgwarden.contracts.MessageDecoder;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.operations.core.Backoff;
import io.pgwarden.operations.core.Expiry;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import io.pgwarden.operations.core.Transition;
import io.pgwarden.operations.core.Transitions;
import io.pgwarden.outbox.Outbox;
import io.pgwarden.outbox.Transactions;
import io.pgwarden.service.Correlation;
import io.pgwarden.service.ServiceConfig;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes commands off {@code pgwarden.commands.v1} in batches and records each as an operation, with its
 * first status, in one transaction; then the records are acknowledged. Nothing here waits for an action.
 * An invalid command of this service is recorded REJECTED and copied to the dead-letter topic in that same
 * transaction; an expired one is recorded REJECTED. While the catalog database is away the batch waits
 * with back-off, without a cap, and is recorded when it returns: a valid command is never dead-lettered
 * or rejected for an outage.
 */
@ApplicationScoped
public class CommandIntake {
    private static final Logger LOG = Logger.getLogger(CommandIntake.class);

    private final MessageDecoder decoder;
    private final DataSource dataSource;
    private final OperationStore store;
    private final Outbox outbox;
    private final OperationKinds kinds;
    private final OperationDriver driver;
    private final UnattributableMessages unattributable;
    private final EngineConfig config;
    private final EngineHealth health;
    private final ServiceConfig service;
    private final Clock clock;
    private final Counter waited;

    public CommandIntake(Validator validator, DataSource dataSource, OperationStore store, Outbox outbox,
                         OperationKinds kinds, OperationDriver driver, UnattributableMessages unattributable,
                         EngineConfig config, EngineHealth health, ServiceConfig service, Clock clock,
                         MeterRegistry meters) {
        this.decoder = new MessageDecoder(validator);
        this.dataSource = dataSource;
        this.store = store;
        this.outbox = outbox;
        this.kinds = kinds;
        this.driver = driver;
        this.unattributable = unattributable;
        this.config = config;
        this.health = health;
        this.service = service;
        this.clock = clock;
        this.waited = Counter.builder("pgwarden_dependency_wait_seconds").tag("dependency", "command-intake")
                .description("Time spent waiting for the catalog database to record commands").register(meters);
    }

    /** What to do with one record. */
    private record Intake(ConsumerRecord<String, byte[]> record, Operation operation, String rejection,
                          boolean deadLetter) {
    }

    @Incoming("commands")
    @Blocking
    public void onCommands(ConsumerRecords<String, byte[]> records) {
        long arrival = System.nanoTime();
        List<String> accepted = recordUntilDone(records);
        if (!accepted.isEmpty()) {
            driver.recorded(accepted, arrival);
        }
    }

    private Optional<Intake> classify(ConsumerRecord<String, byte[]> record, Instant now) {
        Envelope<Object> envelope;
        try {
            envelope = decoder.decode(record.headers(), record.value());
        } catch (InvalidMessageException e) {
            MessageMetadata m = e.metadata();
            Optional<MessageType> type = m == null ? Optional.empty() : MessageType.ofCeType(m.type());
            boolean mine = type.flatMap(kinds::forType).isPresent();
            boolean attributable = type.filter(MessageType::isCommand).isPresent();
            if (mine || (!attributable && unattributable.rejectHere())) {
                return Optional.of(new Intake(record, m == null ? null : rejectedOperation(m, record, now),
                        e.getMessage(), true));
            }
            return Optional.empty();
        }
        MessageMetadata m = envelope.metadata();
        if (!(envelope.body() instanceof Command command)) {
            return unattributable.rejectHere()
                    ? Optional.of(new Intake(record, rejectedOperation(m, record, now),
                    m.type() + " is an event, not a command", true))
                    : Optional.empty();
        }
        Optional<OperationKind<?, ?, ?>> kind = MessageType.ofCeType(m.type()).flatMap(kinds::forType);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        Operation op = new Operation(m.id(), 0, kind.get().name(), command.subject(), m.type(), m.correlationId(),
                record.value(), Operation.START, Map.of(), CommandState.ACCEPTED, null, null, 0, now, null, null,
                null, 1, now, now, m.requestedBy());
        Optional<String> expired = Expiry.expired(m, config.defaultCommandTtl(), now);
        return Optional.of(new Intake(record, op, expired.orElse(null), false));
    }

    private Operation rejectedOperation(MessageMetadata m, ConsumerRecord<String, byte[]> record, Instant now) {
        String kind = MessageType.ofCeType(m.type()).map(t -> t.bodyClass().getSimpleName()).orElse("unknown");
        String subject = m.subject() != null ? m.subject() : record.key() != null ? record.key() : "unknown";
        return new Operation(m.id(), 0, kind, subject, "unknown".equals(m.type()) ? null : m.type(),
                m.correlationId(), null, Operation.START, Map.of(), CommandState.ACCEPTED, null, null, 0, now, null,
                null, null, 1, now, now, m.requestedBy());
    }

    /**
     * Records the batch, waiting out an outage of the database; returns the subjects of new operations.
     * Each try judges the commands anew at its own time: a command that expired while the database was
     * away is rejected, and an accepted one's deadline counts from when it was recorded.
     */
    private List<String> recordUntilDone(ConsumerRecords<String, byte[]> records) {
        Backoff backoff = new Backoff(config.retryMin(), config.retryMax());
        for (int failures = 0; ; ) {
            try {
                List<String> subjects = Transactions.inTransaction(dataSource, tx -> record(tx, records));
                health.intake.recovered();
                outbox.committed();
                return subjects;
            } catch (SQLException | RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("stopped while waiting to record commands", e);
                }
                health.intake.waiting(e);
                long start = System.nanoTime();
                sleep(backoff.after(++failures).toMillis());
                waited.increment((System.nanoTime() - start) / 1e9);
            }
        }
    }

    private List<String> record(Connection tx, ConsumerRecords<String, byte[]> records) throws SQLException {
        List<String> subjects = new ArrayList<>();
        Instant now = clock.instant();
        for (ConsumerRecord<String, byte[]> record : records) {
            Optional<Intake> intake = classify(record, now);
            if (intake.isEmpty()) {
                continue;
            }
            Intake in = intake.get();
            Operation op = in.operation();
            if (op == null) {
                deadLetter(tx, in);
                continue;
            }
            Transition t = in.rejection() == null ? Transitions.accepted(op) : Transitions.rejected(op, in.rejection(), now);
            if (!store.insert(tx, t.operation())) {
                LOG.debugf("command %s was recorded before; not again", op.id());
                continue;
            }
            try (Correlation ignored = Correlation.open(op.correlationId())) {
                if (in.rejection() == null) {
                    LOG.infof("accepted %s for %s", op.kind(), op.subject());
                    subjects.add(op.subject());
                } else {
                    LOG.warnf("rejected command %s: %s", op.id(), in.rejection());
                }
            }
            for (Transition.Status st : t.statuses()) {
                outbox.add(tx, new CommandStatusChanged(op.id(), op.commandType(), op.subject(), st.state(), st.step(),
                        st.reason(), service.service(), st.sequence(), op.requestedBy()), op.id(), op.id(),
                        op.correlationId());
            }
            if (in.deadLetter()) {
                deadLetter(tx, in);
            }
        }
        return subjects;
    }

    /** A copy of the record as received, with what is wrong, on the dead-letter topic. */
    private void deadLetter(Connection tx, Intake in) throws SQLException {
        ConsumerRecord<String, byte[]> r = in.record();
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        headers.put("dead-letter-reason", in.rejection());
        headers.put("dead-letter-topic", r.topic());
        headers.put("dead-letter-partition", Integer.toString(r.partition()));
        headers.put("dead-letter-offset", Long.toString(r.offset()));
        headers.put("dead-letter-service", service.service());
        LOG.warnf("dead-lettering the record at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), in.rejection());
        outbox.addRecord(tx, Topics.DEAD_LETTER, r.key(), headers, r.value());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
