package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.contracts.event.PodHealthChanged;
import io.pgwarden.watcher.health.ManagedPod;
import io.pgwarden.watcher.health.NodeFacts;
import io.pgwarden.watcher.health.Reading;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HealthReadingTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00.123456789Z");

    @Test
    void an_unreachable_cordoned_node_reads_unknown_with_its_taints_and_its_bmc() {
        Node node = new NodeBuilder().withNewMetadata().withName("node001").withResourceVersion("42")
                .addToAnnotations(Names.BMC_ADDRESS_ANNOTATION, " https://10.0.0.21/redfish/v1/Systems/1 ").endMetadata()
                .withNewSpec().withUnschedulable(true)
                .addNewTaint().withKey("node.kubernetes.io/unreachable").withEffect("NoExecute").endTaint()
                .addNewTaint().withKey("dedicated").withValue("db").withEffect("NoSchedule").endTaint()
                .endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("Unknown")
                .withReason("NodeStatusUnknown").endCondition().endStatus()
                .build();

        assertThat(HealthReading.facts(node)).isEqualTo(new NodeFacts("node001", NodeReadiness.UNKNOWN,
                "NodeStatusUnknown", true, List.of("node.kubernetes.io/unreachable:NoExecute", "dedicated=db:NoSchedule"),
                "https://10.0.0.21/redfish/v1/Systems/1"));
    }

    @Test
    void a_ready_node_and_a_node_never_heard_from() {
        Node ready = new NodeBuilder().withNewMetadata().withName("node002").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
        Node silent = new NodeBuilder().withNewMetadata().withName("node003").endMetadata().build();

        assertThat(HealthReading.facts(ready).readiness()).isEqualTo(NodeReadiness.READY);
        assertThat(HealthReading.facts(ready).unschedulable()).isFalse();
        assertThat(HealthReading.facts(ready).bmcAddress()).isNull();
        assertThat(HealthReading.facts(silent).readiness()).isEqualTo(NodeReadiness.UNKNOWN);
    }

    @Test
    void a_managed_pods_database_port_is_the_one_named_postgresql_or_postgres_else_5432() {
        Pod named = new PodBuilder().withNewMetadata().withName("pg-0").withNamespace("db").endMetadata()
                .withNewSpec().withNodeName("node001")
                .addNewContainer().withName("exporter").addNewPort().withName("metrics").withContainerPort(9187).endPort()
                .endContainer()
                .addNewContainer().withName("postgres").addNewPort().withName("postgresql").withContainerPort(6432)
                .endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.244.1.7").endStatus().build();
        Pod unnamed = new PodBuilder(named).editSpec().editContainer(1).editPort(0).withName(null).endPort()
                .endContainer().endSpec().build();

        assertThat(HealthReading.databasePort(named, false))
                .contains(new ManagedPod("db", "pg-0", "node001", "10.244.1.7", 6432));
        assertThat(HealthReading.databasePort(unnamed, false)).get().extracting(ManagedPod::port).isEqualTo(5432);
        assertThat(HealthReading.databasePort(named, true)).as("deleted").isEmpty();
        assertThat(HealthReading.databasePort(new PodBuilder(named).editStatus().withPodIP(null).endStatus().build(),
                false)).as("no IP yet").isEqualTo(Optional.empty());
        assertThat(HealthReading.databasePort(new PodBuilder(named).editStatus().withPhase("Failed").endStatus()
                .build(), false)).as("finished").isEmpty();
    }

    @Test
    void a_terminating_pod_on_a_lost_node() {
        Pod pod = new PodBuilder().withNewMetadata().withName("pg-rook-sf-0").withNamespace("default")
                .withResourceVersion("9").withDeletionTimestamp("2026-11-23T10:00:00Z")
                .addNewOwnerReference().withKind("StatefulSet").withName("pg-rook-sf").endOwnerReference()
                .endMetadata()
                .withNewSpec().withNodeName("node001").endSpec()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("False").endCondition().endStatus()
                .build();

        Reading<PodHealthChanged> reading = HealthReading.of(pod, false);
        assertThat(reading.key()).isEqualTo("default/pg-rook-sf-0");
        assertThat(reading.event(NOW, 3)).isEqualTo(new PodHealthChanged("default", "pg-rook-sf-0", "pg-rook-sf",
                "node001", "Running", false, true, false, "9", NOW, 3));
    }

    @Test
    void a_deleted_pod_keeps_its_last_known_health() {
        Pod pod = new PodBuilder().withNewMetadata().withName("pg-rook-sf-0").withNamespace("default")
                .withResourceVersion("10").endMetadata().withNewSpec().withNodeName("node001").endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();

        PodHealthChanged event = HealthReading.of(pod, true).event(NOW, 4);
        assertThat(event.deleted()).isTrue();
        assertThat(event.node()).isEqualTo("node001");
        assertThat(event.phase()).isEqualTo("Running");
    }

    @Test
    void only_health_fields_and_deletion_make_a_change_not_the_resource_version() {
        Pod v1 = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").withResourceVersion("1")
                .endMetadata().withNewStatus().withPhase("Running").endStatus().build();
        Pod v2 = new PodBuilder(v1).editMetadata().withResourceVersion("2").addToLabels("rack", "r1").endMetadata()
                .build();
        Pod v3 = new PodBuilder(v2).editMetadata().withResourceVersion("3").endMetadata()
                .editStatus().withPhase("Failed").endStatus().build();

        assertThat(HealthReading.of(v2, false).sameHealthAs(HealthReading.of(v1, false))).isTrue();
        assertThat(HealthReading.of(v3, false).sameHealthAs(HealthReading.of(v2, false))).isFalse();
        assertThat(HealthReading.of(v2, true).sameHealthAs(HealthReading.of(v2, false))).isFalse();
    }
}
