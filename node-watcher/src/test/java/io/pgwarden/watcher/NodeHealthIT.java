package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.contracts.event.PodHealthChanged;
import io.pgwarden.leader.Leadership;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * Node and pod health from the informers reaches Kafka on a real broker: once per change, with deletions, from the
 * leader only. Each check that something was <em>not</em> published waits first for a record ordered after it (the
 * same key, so the same partition) or reads every partition up to its end offset once the watcher is idle.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class NodeHealthIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Lease "node-watcher" (pgwarden.service) in namespace "default" (the default). */
    private static final String LEASE_NAMESPACE = "default";
    private static final String LEASE = "node-watcher";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    HealthWatcher watcher;

    @Inject
    Leadership leadership;

    @Test
    void a_node_going_not_ready_is_published_once_per_change() {
        KubernetesClient client = server.getClient();
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            client.nodes().resource(node("node007", "True")).create();
            assertThat(health(probe.await(keyed("node007"), WAIT)).readiness()).isEqualTo(NodeReadiness.READY);

            // A change the watcher does not report (a label, a new resourceVersion) followed by one it does
            // (Ready=False), then a last one (cordon) as the marker: anything published for node007 in between is
            // on the same partition before it.
            client.nodes().withName("node007").edit(n -> new NodeBuilder(n).editMetadata()
                    .addToLabels("rack", "r1").endMetadata().build());
            client.nodes().withName("node007").editStatus(n -> node("node007", "False"));
            client.nodes().withName("node007").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true)
                    .endSpec().build());
            probe.await(keyed("node007").and(r -> health(r).unschedulable()), WAIT);

            List<NodeHealthChanged> published = probe.seen().stream().filter(keyed("node007"))
                    .map(NodeHealthIT::health).toList();
            assertThat(published).extracting(NodeHealthChanged::readiness, NodeHealthChanged::unschedulable)
                    .containsExactly(tuple(NodeReadiness.READY, false), tuple(NodeReadiness.NOT_READY, false),
                            tuple(NodeReadiness.NOT_READY, true));
            assertThat(published).extracting(NodeHealthChanged::sequence).isSorted().doesNotHaveDuplicates();
            assertThat(published).allSatisfy(h -> {
                assertThat(h.resourceVersion()).isNotBlank();
                assertThat(h.observedAt()).isAfter(Instant.now().minus(WAIT));
            });
            probe.seen().stream().filter(keyed("node007")).forEach(TopicProbe::assertConformsToContract);
        }
    }

    @Test
    void a_managed_pod_is_published_and_an_unmanaged_one_is_not() {
        KubernetesClient client = server.getClient();
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.POD_HEALTH)) {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("other-0")
                    .withNamespace("default").endMetadata().withNewSpec().withNodeName("node001").endSpec().build())
                    .create();
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("pg-rook-sf-0")
                    .withNamespace("default").addToLabels(Names.MANAGED_LABEL, "true").endMetadata()
                    .withNewSpec().withNodeName("node001").endSpec().build()).create();
            // The unmanaged pod becomes managed: its first event must be of that version. An event about it while
            // unmanaged would be on the same partition, before it.
            Pod labelled = client.pods().inNamespace("default").withName("other-0").edit(p -> new PodBuilder(p)
                    .editMetadata().addToLabels(Names.MANAGED_LABEL, "true").endMetadata().build());

            ConsumerRecord<String, byte[]> other = probe.await(r -> "default/other-0".equals(r.key()), WAIT);
            assertThat(podHealth(other).resourceVersion()).as("the first event of default/other-0")
                    .isEqualTo(labelled.getMetadata().getResourceVersion());
            ConsumerRecord<String, byte[]> record = probe.await(r -> "default/pg-rook-sf-0".equals(r.key()), WAIT);
            TopicProbe.assertConformsToContract(record);
            assertThat(podHealth(record).node()).isEqualTo("node001");
        }
    }

    @Test
    void a_deleted_node_is_published_once_with_its_last_health_and_not_announced_again() {
        KubernetesClient client = server.getClient();
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            client.nodes().resource(node("node009", "True")).create();
            probe.await(keyed("node009"), WAIT);
            client.nodes().withName("node009").delete();
            ConsumerRecord<String, byte[]> deletion = probe.await(keyed("node009").and(r -> health(r).deleted()), WAIT);
            TopicProbe.assertConformsToContract(deletion);

            watcher.publishSnapshot(); // the periodic snapshot, now: everything the watcher knows, node009 no more
            awaitIdle();
            List<NodeHealthChanged> published = probe.seenUpToEndOffsets(WAIT).stream().filter(keyed("node009"))
                    .map(NodeHealthIT::health).toList();
            assertThat(published).extracting(NodeHealthChanged::readiness, NodeHealthChanged::deleted)
                    .containsExactly(tuple(NodeReadiness.READY, false), tuple(NodeReadiness.READY, true));
            assertThat(published).extracting(NodeHealthChanged::sequence).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void a_standby_publishes_nothing_and_takes_over_with_a_snapshot_when_the_lease_is_released() {
        KubernetesClient client = server.getClient();
        await().atMost(WAIT).until(leadership::isLeader);
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            // Another replica holds the Lease (as after this one was cut off): this one stands by.
            // The leader's own renewal may land between this edit's read and write (409): try again.
            await().atMost(WAIT).ignoreException(io.fabric8.kubernetes.client.KubernetesClientException.class)
                    .until(() -> client.leases().inNamespace(LEASE_NAMESPACE).withName(LEASE).edit(l ->
                            new LeaseBuilder(l).editSpec().withHolderIdentity("node-watcher-other")
                                    .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).withLeaseDurationSeconds(3600)
                                    .endSpec().build()) != null);
            await().atMost(WAIT).until(() -> !leadership.isLeader());
            double known = metric("pgwarden_watcher_known", "node");

            client.nodes().resource(node("node011", "True")).create();
            await().atMost(WAIT).until(() -> metric("pgwarden_watcher_known", "node") > known); // the standby saw it

            // The other replica releases the Lease, as it does when it stops.
            Instant released = Instant.now();
            long releasedNanos = System.nanoTime();
            client.leases().inNamespace(LEASE_NAMESPACE).withName(LEASE).edit(l -> new LeaseBuilder(l).editSpec()
                    .withHolderIdentity(null).withLeaseDurationSeconds(1).endSpec().build());
            ConsumerRecord<String, byte[]> first = probe.await(keyed("node011"), WAIT);
            System.out.printf("NODE-WATCHER TAKEOVER: first health event %d ms after the other replica released "
                    + "the Lease%n", Duration.ofNanos(System.nanoTime() - releasedNanos).toMillis());

            // Anything the standby had published about node011 would come before this on its partition.
            assertThat(health(first).observedAt()).as("the first event of node011, published by the new leader")
                    .isAfterOrEqualTo(released);
            assertThat(leadership.isLeader()).isTrue();
            TopicProbe.assertConformsToContract(first);
        }
    }

    @Test
    void ready_once_the_informers_watch_and_a_standby_would_be_ready_too() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("kubernetes-informers"), containsString("leader-election")));
        given().get("/q/metrics").then().statusCode(200).body(containsString("pgwarden_leader{"));
    }

    /** Waits until the watcher has nothing left to publish (what a snapshot scheduled included). */
    private static void awaitIdle() {
        await().atMost(WAIT).until(() -> metric("pgwarden_watcher_backlog", "node") == 0
                && metric("pgwarden_watcher_backlog", "pod") == 0);
    }

    private static double metric(String name, String kind) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*kind=\"" + kind + "\"[^}]*} (\\S+)$").matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no " + name + "{kind=\"" + kind + "\"} in /q/metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    private static Predicate<ConsumerRecord<String, byte[]>> keyed(String node) {
        return r -> node.equals(r.key()) && TopicProbe.ofType(MessageType.NODE_HEALTH_CHANGED).test(r);
    }

    private static Node node(String name, String ready) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus()
                .build();
    }

    private static NodeHealthChanged health(ConsumerRecord<String, byte[]> r) {
        try {
            return Json.read(r.value(), NodeHealthChanged.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static PodHealthChanged podHealth(ConsumerRecord<String, byte[]> r) {
        try {
            return Json.read(r.value(), PodHealthChanged.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
