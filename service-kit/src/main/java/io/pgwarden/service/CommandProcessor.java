package io.pgwarden.service;

import io.pgwarden.contracts.Envelope;
import io.pgwarden.contracts.InvalidMessageException;
import io.pgwarden.contracts.MessageDecoder;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import java.util.Set;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * The life of one command in the service that owns it:
 * <ol>
 * <li>decode and validate; a bad message is answered REJECTED (when it has an id) and rethrown, so the
 *     consumer's failure strategy puts it on the dead-letter topic;</li>
 * <li>skip commands another service owns;</li>
 * <li>look it up in the ledger: a finished command is not run again, its final status is re-sent
 *     (the first one may have been lost with a crash); an unfinished one is resumed;</li>
 * <li>ACCEPTED, then the executor's RUNNING steps, then SUCCEEDED or FAILED with the reason.</li>
 * </ol>
 * Messages no service can attribute (no id, unknown type) are rejected by the failover service only,
 * so each lands on the dead-letter topic once.
 */
public final class CommandProcessor {
    private static final Logger LOG = Logger.getLogger(CommandProcessor.class);

    /** What a command did. */
    public record Outcome(CommandState state, String reason) {
        public static Outcome succeeded(String what) {
            return new Outcome(CommandState.SUCCEEDED, what);
        }

        public static Outcome failed(String why) {
            return new Outcome(CommandState.FAILED, why);
        }
    }

    /** Reports the step a command is at. */
    @FunctionalInterface
    public interface Steps {
        void running(String step);
    }

    /** Runs a decoded command of this service; every action in it must be idempotent. */
    @FunctionalInterface
    public interface Executor {
        Outcome execute(Command command, MessageMetadata metadata, Steps steps);
    }

    private final MessageDecoder decoder;
    private final CommandLedger ledger;
    private final StatusSink statuses;
    private final String service;

    public CommandProcessor(MessageDecoder decoder, CommandLedger ledger, StatusSink statuses, String service) {
        this.decoder = decoder;
        this.ledger = ledger;
        this.statuses = statuses;
        this.service = service;
    }

    public void process(Headers headers, byte[] value, Set<MessageType> mine, boolean rejectsUnattributable,
                        Executor executor) {
        Envelope<Object> envelope;
        try {
            envelope = decoder.decode(headers, value);
        } catch (InvalidMessageException e) {
            if (isMineToReject(e.metadata(), mine, rejectsUnattributable)) {
                reject(e);
                throw e;
            }
            return;
        }
        MessageType type = MessageType.ofCeType(envelope.metadata().type()).orElseThrow();
        if (!mine.contains(type)) {
            if (!type.isCommand() && rejectsUnattributable) {
                InvalidMessageException e = new InvalidMessageException(
                        type.ceType() + " is an event, not a command", envelope.metadata());
                reject(e);
                throw e;
            }
            return;
        }
        run((Command) envelope.body(), envelope.metadata(), executor);
    }

    private void run(Command command, MessageMetadata metadata, Executor executor) {
        String id = metadata.id();
        try (Correlation ignored = Correlation.open(metadata.correlationId())) {
            Optional<CommandLedger.Entry> known = ledger.find(id);
            if (known.isPresent() && known.get().state().isFinal()) {
                LOG.infof("command %s was already %s; re-sending its status", id, known.get().state());
                send(metadata, known.get().state(), known.get().step(), known.get().reason());
                return;
            }
            if (known.isEmpty()) {
                ledger.accept(id, metadata.type(), command.subject());
                LOG.infof("accepted %s for %s", metadata.type(), command.subject());
            } else {
                LOG.infof("resuming %s for %s after an interruption", metadata.type(), command.subject());
            }
            send(metadata, CommandState.ACCEPTED, null, null);
            Outcome outcome;
            try {
                outcome = executor.execute(command, metadata, step -> {
                    ledger.update(id, CommandState.RUNNING, step, null);
                    send(metadata, CommandState.RUNNING, step, null);
                });
            } catch (RuntimeException e) {
                LOG.warnf(e, "%s for %s failed", metadata.type(), command.subject());
                outcome = Outcome.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            ledger.update(id, outcome.state(), null, outcome.reason());
            send(metadata, outcome.state(), null, outcome.reason());
            LOG.infof("%s for %s %s: %s", metadata.type(), command.subject(), outcome.state(), outcome.reason());
        }
    }

    private boolean isMineToReject(MessageMetadata metadata, Set<MessageType> mine, boolean rejectsUnattributable) {
        Optional<MessageType> type = metadata == null ? Optional.empty() : MessageType.ofCeType(metadata.type());
        return type.map(t -> mine.contains(t) || (!t.isCommand() && rejectsUnattributable))
                .orElse(rejectsUnattributable);
    }

    private void reject(InvalidMessageException e) {
        MessageMetadata metadata = e.metadata();
        if (metadata == null) {
            LOG.warnf("dead-lettering a command without a readable id: %s", e.getMessage());
            return;
        }
        try (Correlation ignored = Correlation.open(metadata.correlationId())) {
            LOG.warnf("rejected command %s: %s", metadata.id(), e.getMessage());
            send(metadata, CommandState.REJECTED, null, e.getMessage());
        }
    }

    private void send(MessageMetadata command, CommandState state, String step, String reason) {
        String type = "unknown".equals(command.type()) ? null : command.type();
        statuses.send(new CommandStatusChanged(command.id(), type, command.subject(), state, step, reason, service, 1),
                command.correlationId());
    }
}
