package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Event;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class KubernetesEventsTest {
    private final KubernetesEvents events = new KubernetesEvents(null, Clock.systemUTC());

    @Test
    void an_event_about_a_node_goes_to_namespace_default_as_the_kubelet_s() {
        Instant now = Instant.parse("2026-11-26T19:40:01.123456789Z");

        Event event = events.event(KubernetesEvents.InvolvedObject.node("node002", "uid-1"), "NodeFenced",
                "BMC reports PowerState Off", KubernetesEvents.Type.NORMAL, now);

        assertThat(event.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(event.getMetadata().getName()).isEqualTo("node002." + Long.toHexString(1795722001123456789L));
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("v1");
        assertThat(event.getInvolvedObject().getNamespace()).isNull();
        assertThat(event.getType()).isEqualTo("Normal");
        assertThat(event.getLastTimestamp()).isEqualTo("2026-11-26T19:40:01Z");
        assertThat(event.getReportingComponent()).isEqualTo("pgwarden-failover-service");
        assertThat(event.getSource().getComponent()).isEqualTo("pgwarden-failover-service");
    }

    @Test
    void an_event_about_a_namespaced_object_goes_to_its_namespace() {
        Event event = events.event(new KubernetesEvents.InvolvedObject("StatefulSet", "db", "pg", "uid-2"),
                "FailoverWaiting", "the database's lock is held by a restore", KubernetesEvents.Type.WARNING,
                Instant.EPOCH);

        assertThat(event.getMetadata().getNamespace()).isEqualTo("db");
        assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("apps/v1");
        assertThat(event.getType()).isEqualTo("Warning");
    }
}
