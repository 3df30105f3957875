package io.pgwarden.failover.incident;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.TopicProbe;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What node-watcher would publish on {@code pgwarden.node-health.v1}, said by the test: each node's word is published
 * at once when the test changes it, and again for every node in a snapshot every second (fresh {@code observedAt},
 * a higher {@code sequence}), so the service's feed keeps hearing node-watcher and knows every node for the storm guard.
 */
final class NodeWatcherStandIn implements AutoCloseable {
    private record Word(NodeLiveness liveness, Instant leaseRenewedAt, String powerState, String reason) {
    }

    private final TopicProbe probe;
    private final Map<String, Word> words = new ConcurrentHashMap<>();
    private final ScheduledExecutorService snapshots = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-watcher-stand-in");
        t.setDaemon(true);
        return t;
    });
    private long sequence;

    NodeWatcherStandIn(String bootstrapServers, Collection<String> nodes) {
        probe = new TopicProbe(bootstrapServers);
        nodes.forEach(n -> words.put(n, new Word(NodeLiveness.ALIVE, null, "On", "lease renewed")));
        words.keySet().forEach(this::publish);
        snapshots.scheduleWithFixedDelay(() -> words.keySet().forEach(this::publish), 1, 1, TimeUnit.SECONDS);
    }

    void alive(String node) {
        say(node, new Word(NodeLiveness.ALIVE, null, "On", "lease renewed"));
    }

    /** The lease stale since leaseRenewedAt, and nothing else seen (the BMC still reports the power on). */
    void suspect(String node, Instant leaseRenewedAt) {
        say(node, new Word(NodeLiveness.SUSPECT, leaseRenewedAt, "On", "lease not renewed since " + leaseRenewedAt));
    }

    /** The lease stale since leaseRenewedAt and the BMC reports the power off. */
    void poweredOff(String node, Instant leaseRenewedAt) {
        say(node, new Word(NodeLiveness.UNREACHABLE, leaseRenewedAt, "Off", "lease not renewed since "
                + leaseRenewedAt + "; BMC reports PowerState Off"));
    }

    private void say(String node, Word word) {
        words.put(node, word);
        publish(node);
    }

    private synchronized void publish(String node) {
        Word w = words.get(node);
        Instant now = Instant.now();
        boolean alive = w.liveness() == NodeLiveness.ALIVE;
        Instant renewed = alive ? now : w.leaseRenewedAt();
        NodeHealthChanged health = new NodeHealthChanged(node, alive ? NodeReadiness.READY : NodeReadiness.UNKNOWN,
                alive ? "KubeletReady" : "NodeStatusUnknown", false, List.of(), w.liveness(), w.reason(), renewed,
                renewed == null ? null : now.toEpochMilli() - renewed.toEpochMilli(), w.powerState(), false, "1", now,
                ++sequence);
        try {
            probe.send("/test/node-watcher", health, node);
        } catch (RuntimeException e) {
            // The broker is closing with the test; the next snapshot tries again.
        }
    }

    @Override
    public void close() {
        snapshots.shutdownNow();
        try {
            snapshots.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        probe.close();
    }
}
