package io.pgwarden.backup;

import io.pgwarden.contracts.InvalidMessageException;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.service.CommandProcessor;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.temporal.ChronoUnit;

/**
 * Takes commands off {@code pgwarden.commands.v1}, in order. A bad message goes to the dead-letter
 * topic (the channel's failure strategy); an outage of the ledger or the broker is retried.
 */
@ApplicationScoped
public class CommandConsumer {

    @Inject
    CommandProcessor processor;

    @Inject
    BackupCommands backupCommands;

    @Incoming("commands")
    @Blocking
    @Retry(maxRetries = 20, delay = 1, delayUnit = ChronoUnit.SECONDS, abortOn = InvalidMessageException.class)
    public void onCommand(ConsumerRecord<String, byte[]> record) {
        processor.process(record.headers(), record.value(), java.util.Set.of(MessageType.TAKE_BACKUP, MessageType.RESTORE_BACKUP, MessageType.DELETE_BACKUP), false, backupCommands);
    }
}
