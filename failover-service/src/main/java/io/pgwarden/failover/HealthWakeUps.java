package io.pgwarden.failover;

import io.pgwarden.operations.engine.OperationDriver;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** A node's health changed: the operations waiting on that node look again now, not at their next resync. */
@ApplicationScoped
public class HealthWakeUps {
    private final OperationDriver driver;

    public HealthWakeUps(OperationDriver driver) {
        this.driver = driver;
    }

    @Incoming("node-health")
    @Blocking
    public void onNodeHealth(ConsumerRecord<String, byte[]> record) {
        if (record.key() != null) {
            driver.eventAbout(record.key(), System.nanoTime());
        }
    }
}
