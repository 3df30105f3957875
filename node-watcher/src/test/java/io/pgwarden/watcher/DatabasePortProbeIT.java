package io.pgwarden.watcher;

import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.watcher.health.DatabasePorts;
import io.pgwarden.watcher.health.LivenessJudge;
import io.pgwarden.watcher.health.LivenessTracker;
import io.pgwarden.watcher.health.ManagedPod;
import io.pgwarden.watcher.health.NodeFacts;
import io.pgwarden.watcher.health.PowerPoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database-port signal with real TCP connections on 127.0.0.1: a stale node whose managed pod's port answers stays
 * SUSPECT (the port adds nothing), one whose port refuses or whose packets are lost is UNREACHABLE. No Kubernetes: the
 * node's lease is made stale by a clock moved by hand.
 */
class DatabasePortProbeIT {
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private final ServerSocket database = listen();
    private volatile Instant now = Instant.parse("2026-11-26T23:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };
    private DatabasePorts ports;
    private final LivenessTracker tracker = new LivenessTracker(new LivenessJudge(Optional.empty(),
            PowerPoll.STALE_NODES, Duration.ofSeconds(5)), clock, reading -> { }, node -> ports.probeNow(node));

    @AfterEach
    void close() throws IOException {
        database.close();
    }

    @Test
    void a_stale_node_whose_database_port_answers_is_not_called_unreachable_by_it() {
        staleNodeWithPodAt(pod -> found(new InetSocketAddress(database.getInetAddress(), database.getLocalPort())));

        await().atMost(Duration.ofSeconds(10)).until(() -> reason().contains("database port of default/pg-0"));
        assertThat(tracker.verdict("node001")).get().isEqualTo(new LivenessJudge.Verdict(NodeLiveness.SUSPECT,
                "lease not renewed for more than 15 s; power state unknown; database port of default/pg-0 "
                        + "(10.244.0.11:5432) answers"));
        assertThat(ports.answered()).isPositive();
    }

    @Test
    void a_stale_node_whose_database_port_refuses_is_unreachable() throws IOException {
        int closed = database.getLocalPort();
        database.close();
        staleNodeWithPodAt(pod -> found(new InetSocketAddress(InetAddress.getLoopbackAddress(), closed)));

        await().atMost(Duration.ofSeconds(10)).until(() -> reason().contains("database port of default/pg-0"));
        assertThat(tracker.verdict("node001")).get().isEqualTo(new LivenessJudge.Verdict(NodeLiveness.UNREACHABLE,
                "lease not renewed for more than 15 s; power state unknown; database port of default/pg-0 "
                        + "(10.244.0.11:5432) does not answer (connection refused)"));
    }

    @Test
    void a_stale_node_whose_pods_packets_are_lost_is_unreachable_once_the_connect_times_out() {
        long start = System.nanoTime();
        staleNodeWithPodAt(pod -> CompletableFuture.completedFuture(Optional.empty()));

        await().atMost(Duration.ofSeconds(10)).until(() -> reason().contains("database port of default/pg-0"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(TIMEOUT);
        assertThat(reason()).endsWith("does not answer (connect timed out)");
    }

    private void staleNodeWithPodAt(PodAddresses addresses) {
        ports = new DatabasePorts(tracker, new TcpDatabasePorts(addresses, TIMEOUT));
        tracker.nodeObserved(new NodeFacts("node001", NodeReadiness.READY, null, false, List.of(), null), false, "1");
        tracker.leaseObserved("node001", now, 40);
        tracker.check(true, null);
        ports.podObserved("default", "pg-0", Optional.of(new ManagedPod("default", "pg-0", "node001",
                "10.244.0.11", 5432)));
        now = now.plusSeconds(16);
        tracker.check(true, null); // stale: probed at once
    }

    private String reason() {
        return tracker.verdict("node001").map(LivenessJudge.Verdict::reason).orElse("");
    }

    private static CompletableFuture<Optional<InetSocketAddress>> found(InetSocketAddress address) {
        return CompletableFuture.completedFuture(Optional.of(address));
    }

    private static ServerSocket listen() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
