package io.pgwarden.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.contracts.Envelope;
import io.pgwarden.contracts.InvalidMessageException;
import io.pgwarden.contracts.MessageDecoder;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.service.Correlation;
import io.pgwarden.service.Outage;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.Validator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Follows {@code pgwarden.command-status.v1} into the command table, in sequence order (see
 * {@link CommandStore#apply}). A record that does not parse goes to the dead-letter topic; a valid
 * status meets a database outage by waiting, without a cap, and is applied when the database returns
 * (readiness says degraded meanwhile, and {@code pgwarden_dependency_wait_seconds} counts the wait).
 */
@ApplicationScoped
public class StatusConsumer {
    private static final Logger LOG = Logger.getLogger(StatusConsumer.class);
    private static final Duration RETRY_MIN = Duration.ofMillis(100);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);

    private final MessageDecoder decoder;
    private final CommandStore store;
    private final Clock clock;
    private final Counter waited;
    private final Outage outage;
    private volatile boolean running = true;

    public StatusConsumer(Validator validator, CommandStore store, Clock clock, MeterRegistry meters) {
        this.decoder = new MessageDecoder(validator);
        this.store = store;
        this.clock = clock;
        this.outage = new Outage("cannot store a command status, waiting for the database",
                "storing command statuses again", LOG, clock);
        this.waited = Counter.builder("pgwarden_dependency_wait_seconds").tag("dependency", "command-status")
                .description("Time spent waiting for the broker or the database to come back").register(meters);
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
            boolean applied = applyWaiting(status, envelope.metadata().correlationId(), envelope.metadata().time());
            LOG.debugf("command %s is %s (sequence %d)%s", status.commandId(), status.state(), status.sequence(),
                    applied ? "" : ": older than what is stored, ignored");
        }
    }

    private boolean applyWaiting(CommandStatusChanged status, String correlationId, Instant at) {
        Duration backoff = RETRY_MIN;
        while (true) {
            try {
                boolean applied = store.apply(status, correlationId, at);
                outage.recovered();
                return applied;
            } catch (SQLException e) {
                if (!running) {
                    throw new IllegalStateException("stopping while waiting for the database to store the status"
                            + " of command " + status.commandId(), e);
                }
                outage.waiting(e);
                long start = System.nanoTime();
                sleep(backoff);
                waited.increment((System.nanoTime() - start) / 1e9);
                backoff = backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : backoff.multipliedBy(2);
            }
        }
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
    }

    /** Waiting while the database is away to store a status. */
    public Outage outage() {
        return outage;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the database", e);
        }
    }
}
