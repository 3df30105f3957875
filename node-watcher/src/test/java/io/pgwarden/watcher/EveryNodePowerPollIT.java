package io.pgwarden.watcher;

import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
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

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.pgwarden.contracts.event.NodeLiveness.ALIVE;
import static io.pgwarden.contracts.event.NodeLiveness.UNREACHABLE;
import static io.pgwarden.watcher.NodeLivenessIT.health;
import static io.pgwarden.watcher.NodeLivenessIT.keyed;
import static io.pgwarden.watcher.NodeLivenessIT.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * node-watcher with {@code power-poll=every-node} on the sandbox cluster (a tenth of real time, every BMC read every
 * scaled second) and a real broker: a powered-off node is UNREACHABLE on its BMC's word while its lease is still
 * within the threshold, and healthy nodes whose BMCs say On stay ALIVE while every BMC is read. The sandbox's BMC
 * reports the machine's own power ({@code sandbox/.../fault/Redfish}): Off from the moment of the power-off fault.
 */
@QuarkusTest
@TestProfile(EveryNodePowerPollIT.EveryNode.class)
class EveryNodePowerPollIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration THRESHOLD = SandboxResource.config().heartbeatInterval().multipliedBy(3).dividedBy(2);

    /** The sandbox with every node's BMC read every (scaled) second; one replica that always leads. */
    public static class EveryNode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgwarden.leader-election.enabled", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SandboxResource.class, Map.of(
                    SandboxResource.POWER_POLL, "every-node", SandboxResource.POWER_POLL_INTERVAL, "PT1S")));
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
    void a_powered_off_node_is_unreachable_on_its_bmcs_word_before_its_lease_could_go_stale() {
        String node = "node004";
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            justRenewed(node); // the lease then has its whole threshold left: only the BMC can tell in time
            long off = System.nanoTime();
            sandbox.faults().powerOff(node);

            ConsumerRecord<String, byte[]> unreachable = tail.await(keyed(node, h -> h.liveness() == UNREACHABLE),
                    WAIT);
            long detected = System.nanoTime();
            NodeHealthChanged dead = health(unreachable);
            assertThat(dead.powerState()).isEqualTo("Off");
            assertThat(dead.livenessReason()).startsWith(
                    "BMC reports PowerState Off (every-node power polling); lease renewed within");
            assertThat(dead.leaseAgeMillis()).as("published before the lease could have gone stale")
                    .isLessThan(THRESHOLD.toMillis());
            TopicProbe.assertConformsToContract(unreachable);
            System.out.printf("EVERY-NODE POWER POLLING (time scale %s): power-off -> UNREACHABLE %d ms, lease age "
                            + "%d ms of a %d ms threshold%n", SandboxResource.TIME_SCALE,
                    Duration.ofNanos(detected - off).toMillis(), dead.leaseAgeMillis(), THRESHOLD.toMillis());

            sandbox.faults().powerOn(node);
            NodeHealthChanged back = health(tail.await(keyed(node,
                    h -> h.liveness() == ALIVE && h.sequence() > dead.sequence()), WAIT));
            assertThat(back.livenessReason()).startsWith("lease renewed");
            assertThat(back.powerState()).isNull();
        }
    }

    @Test
    void healthy_nodes_whose_bmcs_say_on_stay_alive_while_every_bmc_is_read() {
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            double answeredBefore = metric("pgwarden_watcher_bmc_reads_total", "result=\"answered\"");
            // twenty rounds of every BMC: two scaled poll intervals, and leases renewed twice meanwhile
            await().atMost(WAIT).until(() -> metric("pgwarden_watcher_bmc_reads_total", "result=\"answered\"")
                    >= answeredBefore + 20 * SandboxResource.NODES.size());

            Instant snapshot = Instant.now();
            watcher.publishSnapshot();
            for (String node : SandboxResource.NODES) {
                tail.await(keyed(node, h -> !h.observedAt().isBefore(snapshot)), WAIT);
            }
            List<NodeHealthChanged> published = tail.matching(TopicProbe.ofType(MessageType.NODE_HEALTH_CHANGED))
                    .stream().map(NodeLivenessIT::health).toList();
            assertThat(published).extracting(NodeHealthChanged::node).containsAll(SandboxResource.NODES);
            assertThat(published).allSatisfy(h -> {
                assertThat(h.liveness()).as(h.node() + ": " + h.livenessReason()).isEqualTo(ALIVE);
                assertThat(h.powerState()).isNull();
            });
        }
    }

    /** Waits until the node's kubelet has just renewed its lease (within a tenth of the renew interval). */
    private void justRenewed(String node) {
        Duration fresh = SandboxResource.config().heartbeatInterval().dividedBy(10);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> {
            var lease = sandbox.client().leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName(node).get();
            return lease != null && lease.getSpec().getRenewTime() != null && Duration.between(
                    lease.getSpec().getRenewTime().toInstant(), Instant.now()).compareTo(fresh) < 0;
        });
    }
}
