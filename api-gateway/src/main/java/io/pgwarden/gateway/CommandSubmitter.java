package io.pgwarden.gateway;

import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.service.Correlation;
import io.pgwarden.service.EventPublisher;
import io.pgwarden.service.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Turns a validated request into a command on Kafka, recorded first so its status has a home. */
@ApplicationScoped
public class CommandSubmitter {
    private static final Logger LOG = Logger.getLogger(CommandSubmitter.class);

    @Inject
    EventPublisher publisher;

    @Inject
    CommandStore store;

    @Inject
    ServiceConfig config;

    /** Submits command; correlationId null makes the command its own correlation. */
    public CommandView submit(Command command, String correlationId) {
        MessageMetadata metadata = publisher.newMetadata(MessageType.of(command.getClass()), command.subject(),
                correlationId);
        try (Correlation ignored = Correlation.open(metadata.correlationId())) {
            store.submitted(metadata, command.subject());
            try {
                publisher.send(metadata, command, command.subject());
            } catch (RuntimeException e) {
                CommandBusUnavailableException failure = new CommandBusUnavailableException(metadata.id(), e);
                store.apply(new CommandStatusChanged(metadata.id(), metadata.type(), command.subject(),
                        CommandState.FAILED, null, failure.getMessage(), config.service(), 1),
                        metadata.correlationId(), metadata.time());
                throw failure;
            }
            LOG.infof("submitted %s %s for %s", metadata.type(), metadata.id(), command.subject());
            return store.find(metadata.id()).orElseThrow();
        }
    }

    /** Kafka did not take the command: the client may retry; nothing was started. */
    public static final class CommandBusUnavailableException extends RuntimeException {
        CommandBusUnavailableException(String commandId, Throwable cause) {
            super("the command bus did not accept command " + commandId + ": " + cause.getMessage(), cause);
        }
    }
}
