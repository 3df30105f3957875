package io.pgwarden.service;

import io.pgwarden.contracts.MessageDecoder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.validation.Validator;

/** Wires the plain {@link CommandProcessor} to the broker, the ledger and the validator. */
public class CommandProcessorProducer {

    @Produces
    @Singleton
    CommandProcessor commandProcessor(Validator validator, CommandLedger ledger, EventPublisher publisher,
                                      ServiceConfig config) {
        return new CommandProcessor(new MessageDecoder(validator), ledger,
                (status, correlationId) -> publisher.publish(status, status.commandId(), status.commandId(),
                        correlationId),
                config.service());
    }
}
