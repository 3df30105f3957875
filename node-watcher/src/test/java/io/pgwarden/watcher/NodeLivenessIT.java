package io.pgwarden.watcher;

import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.pgwarden.watcher.health.ApiView;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pgwarden.contracts.event.NodeLiveness.ALIVE;
import static io.pgwarden.contracts.event.NodeLiveness.SUSPECT;
import static io.pgwarden.contracts.event.NodeLiveness.UNREACHABLE;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * node-watcher on the sandbox cluster (real kubelets' leases, node lifecycle controller and BMCs, at a tenth of real
 * time) and a real broker: a dead node is called SUSPECT, then UNREACHABLE once its BMC says Off, well before the node
 * controller's Ready=Unknown; a partitioned node is SUSPECT with its power On; both are ALIVE again when their
 * kubelets renew; and an API outage while the nodes are healthy makes no one SUSPECT, whether node-watcher alone is
 * cut off or the API server is down for everyone. Each test reads the topic from the offsets it had before acting.
 */
@QuarkusTest
@TestProfile(NodeLivenessIT.OnTheSandbox.class)
class NodeLivenessIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** What the judge needs after node-watcher sees the API server again: the threshold, and a check or two. */
    private static final Duration THRESHOLD = SandboxResource.config().heartbeatInterval().multipliedBy(3).dividedBy(2);
    private static final Duration CHECK = SandboxResource.config().scaled(Duration.ofSeconds(1));

    /** The sandbox, and one replica that always leads (the outage would otherwise cost it the leader Lease). */
    public static class OnTheSandbox implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgwarden.leader-election.enabled", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SandboxResource.class));
        }
    }

    @Inject
    HealthWatcher watcher;

    private final Sandbox sandbox = SandboxResource.sandbox();

    @BeforeEach
    void every_node_is_heard_from() {
        await().atMost(WAIT).until(() -> watcher.liveness().view().filter(ApiView::sees).isPresent()
                && SandboxResource.NODES.stream().allMatch(n -> watcher.liveness().verdict(n)
                .filter(v -> v.liveness() == ALIVE && v.reason().startsWith("lease renewed")).isPresent()));
    }

    @Test
    void a_powered_off_node_is_unreachable_with_its_power_off_before_the_node_controller_calls_it_unknown() {
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            long off = System.nanoTime();
            sandbox.faults().powerOff("node003");

            ConsumerRecord<String, byte[]> unreachable = tail.await(keyed("node003", h -> h.liveness() == UNREACHABLE),
                    WAIT);
            long detected = System.nanoTime();
            NodeHealthChanged dead = health(unreachable);
            assertThat(dead.powerState()).isEqualTo("Off");
            assertThat(dead.livenessReason()).endsWith("BMC reports PowerState Off");
            assertThat(dead.readiness()).as("published while the node controller still had it Ready")
                    .isEqualTo(NodeReadiness.READY);
            assertThat(dead.leaseAgeMillis()).isGreaterThan(THRESHOLD.toMillis());
            TopicProbe.assertConformsToContract(unreachable);

            tail.await(keyed("node003", h -> h.readiness() == NodeReadiness.UNKNOWN), WAIT);
            System.out.printf("NODE-WATCHER DETECTION (time scale %s): power-off -> UNREACHABLE %d ms, -> the node "
                            + "controller's Ready=Unknown %d ms%n", SandboxResource.TIME_SCALE,
                    Duration.ofNanos(detected - off).toMillis(), Duration.ofNanos(System.nanoTime() - off).toMillis());

            sandbox.faults().powerOn("node003");
            NodeHealthChanged back = health(tail.await(keyed("node003",
                    h -> h.liveness() == ALIVE && h.sequence() > dead.sequence()), WAIT));
            assertThat(back.livenessReason()).startsWith("lease renewed");
            assertThat(back.powerState()).isNull();
        }
        assertThat(metric("pgwarden_watcher_liveness_transitions_total", "from=\"ALIVE\",to=\"SUSPECT\""))
                .isPositive();
        assertThat(metric("pgwarden_watcher_liveness_transitions_total", "from=\"UNREACHABLE\",to=\"ALIVE\""))
                .isPositive();
        await().atMost(WAIT).until(() -> metric("pgwarden_watcher_nodes", "liveness=\"ALIVE\"")
                == SandboxResource.NODES.size());
        assertThat(metric("pgwarden_watcher_api_view", "")).isEqualTo(1);
    }

    @Test
    void a_partitioned_node_is_suspect_with_its_power_on_then_unreachable_once_not_ready_and_alive_when_healed() {
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            sandbox.faults().partition("node002");

            NodeHealthChanged suspect = health(tail.await(keyed("node002",
                    h -> h.liveness() == SUSPECT && "On".equals(h.powerState())), WAIT));
            assertThat(suspect.livenessReason()).endsWith("BMC reports PowerState On");
            NodeHealthChanged unreachable = health(tail.await(keyed("node002", h -> h.liveness() == UNREACHABLE),
                    WAIT));
            assertThat(unreachable.readiness()).isEqualTo(NodeReadiness.UNKNOWN);
            assertThat(unreachable.livenessReason()).endsWith("Ready is Unknown");

            sandbox.faults().heal("node002");
            tail.await(keyed("node002", h -> h.liveness() == ALIVE && h.sequence() > unreachable.sequence()), WAIT);
        }
    }

    @Test
    void node_watcher_cut_off_from_the_api_server_calls_no_healthy_node_suspect() {
        List<NodeHealthChanged> published = throughAnOutage(false);

        assertThat(published).extracting(NodeHealthChanged::liveness).containsOnly(ALIVE);
        assertThat(published).as("node-watcher saw that it was cut off").anyMatch(h -> h.livenessReason()
                .startsWith("node-watcher does not see the API server"));
    }

    @Test
    void after_the_api_server_was_down_for_everyone_no_node_is_called_suspect_before_its_kubelet_could_renew() {
        List<NodeHealthChanged> published = throughAnOutage(true);

        assertThat(published).extracting(NodeHealthChanged::liveness).containsOnly(ALIVE);
        assertThat(published).as("node-watcher saw the API server again before some kubelet renewed")
                .anyMatch(h -> h.livenessReason().contains("not counting the time node-watcher did not see the API server"));
    }

    /**
     * An outage of a scaled 90 s (the test 5), then every node's health from the offsets before it up to a
     * snapshot taken once the judge's grace after it is over: anything published meanwhile is before the snapshot on
     * its node's partition.
     */
    private List<NodeHealthChanged> throughAnOutage(boolean everyone) {
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            Instant start = Instant.now();
            sandbox.faults().apiOutage(SandboxResource.config().scaled(Duration.ofSeconds(90)), everyone);
            await().atMost(WAIT).until(() -> watcher.liveness().view().filter(v -> !v.sees()).isPresent());
            await().atMost(WAIT).until(() -> watcher.liveness().view()
                    .filter(v -> v.sees() && v.since().isAfter(start)
                            && Instant.now().isAfter(v.since().plus(THRESHOLD).plus(CHECK.multipliedBy(3))))
                    .isPresent());

            Instant snapshot = Instant.now();
            watcher.publishSnapshot();
            for (String node : SandboxResource.NODES) {
                tail.await(keyed(node, h -> !h.observedAt().isBefore(snapshot)), WAIT);
            }
            List<NodeHealthChanged> published = tail.matching(TopicProbe.ofType(MessageType.NODE_HEALTH_CHANGED))
                    .stream().map(NodeLivenessIT::health).toList();
            published.stream().filter(h -> h.liveness() != ALIVE).forEach(h -> System.out.println("NOT ALIVE: " + h));
            return published;
        }
    }

    /** A value from /q/metrics whose labels include {@code labels} ("" for none). */
    static double metric(String name, String labels) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*" + Pattern.quote(labels) + "[^}]*})? (\\S+)$")
                .matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no " + name + "{" + labels + "} in /q/metrics");
        }
        return Double.parseDouble(m.group(2));
    }

    static Predicate<ConsumerRecord<String, byte[]>> keyed(String node, Predicate<NodeHealthChanged> match) {
        return r -> node.equals(r.key()) && TopicProbe.ofType(MessageType.NODE_HEALTH_CHANGED).test(r)
                && match.test(health(r));
    }

    static NodeHealthChanged health(ConsumerRecord<String, byte[]> r) {
        try {
            return Json.read(r.value(), NodeHealthChanged.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
