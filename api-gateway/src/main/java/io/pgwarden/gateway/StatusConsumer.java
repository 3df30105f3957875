package io.pgwarden.gateway;

import io.pgwarden.contracts.Envelope;
import io.pgwarden.contracts.InvalidMessageException;
import io.pgwarden.contracts.MessageDecoder;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.service.Correlation;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.sql.SQLException;

/**
 * Follows {@code pgwarden.command-status.v1} into the command table, in sequence order (see
 * {@link CommandStore#apply}); bad records go to the dead-letter topic.
 */
@ApplicationScoped
public class StatusConsumer {
    private static final Logger LOG = Logger.getLogger(StatusConsumer.class);

    private final MessageDecoder decoder;
    private final CommandStore store;

    public StatusConsumer(Validator validator, CommandStore store) {
        this.decoder = new MessageDecoder(validator);
        this.store = store;
    }

    @Incoming("command-status")
    @Blocking
    public void onStatus(ConsumerRecord<String, byte[]> record) {
        Envelope<Object> envelope = decoder.decode(record.headers(), record.value());
        if (!(envelope.body() instanceof CommandStatusChanged status)) {
            throw new InvalidMessageException(envelope.metadata().type() + " does not belong on "
                    + record.topic(), envelope.metadata());
        }
        try (Correlation ignored = Correlation.open(envelope.metadata().correlationId())) {
            boolean applied = store.apply(status, envelope.metadata().correlationId(), envelope.metadata().time());
            LOG.debugf("command %s is %s (sequence %d)%s", status.commandId(), status.state(), status.sequence(),
                    applied ? "" : ": older than what is stored, ignored");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record the status of command " + status.commandId(), e);
        }
    }
}
