package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Every node's liveness, kept current from what the Node and Lease informers deliver, what the BMCs and the managed
 * pods' database ports answer, and a periodic check of node-watcher's view of the API server, and handed on as {@link Reading}s (the publisher's change
 * filter decides what is news). {@link LivenessJudge} decides; this class keeps each node's signals and its last
 * verdict, one node at a time under that node's lock.
 *
 * <p>A check costs one judgment per node, no I/O. Nothing is handed on before the first check, when node-watcher
 * first knows whether it sees the API server.
 */
public final class LivenessTracker {
    /** A change of liveness, for the metrics. */
    public record Transition(NodeLiveness from, NodeLiveness to) {
    }

    private final LivenessJudge judge;
    private final Clock clock;
    private final Consumer<Reading<NodeHealthChanged>> publish;
    private final Consumer<String> turnedStale;
    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentMap<Transition, LongAdder> transitions = new ConcurrentHashMap<>();
    private volatile ApiView view;

    /**
     * @param publish     where readings go (the node publisher)
     * @param turnedStale told the name of a node that just stopped being ALIVE (to read its BMC at once)
     */
    public LivenessTracker(LivenessJudge judge, Clock clock, Consumer<Reading<NodeHealthChanged>> publish,
                           Consumer<String> turnedStale) {
        this.judge = judge;
        this.clock = clock;
        this.publish = publish;
        this.turnedStale = turnedStale;
    }

    /** The Node informer delivered a node; {@code deleted}: its final state. */
    public void nodeObserved(NodeFacts facts, boolean deleted, String resourceVersion) {
        Instant now = clock.instant();
        Entry entry = entry(facts.node(), now);
        boolean stale;
        synchronized (entry) {
            entry.facts = facts;
            entry.resourceVersion = resourceVersion;
            if (deleted) {
                if (view != null) {
                    publish.accept(entry.reading(true));
                }
                entry.removed = true;
                entries.remove(entry.node, entry);
                return;
            }
            stale = update(entry, now, true);
        }
        tellIfStale(entry, stale);
    }

    /** The Lease informer delivered the node's lease in {@code kube-node-lease} (added, renewed or resynced). */
    public void leaseObserved(String node, Instant renewTime, Integer leaseDurationSeconds) {
        Instant now = clock.instant();
        Entry entry = entry(node, now);
        boolean stale;
        synchronized (entry) {
            boolean renewed = renewTime != null && (entry.renewTime == null || renewTime.isAfter(entry.renewTime));
            entry.leaseDurationSeconds = leaseDurationSeconds;
            if (renewed) {
                entry.renewTime = renewTime;
                entry.renewalHeardAt = now;
            }
            stale = update(entry, now, renewed);
        }
        tellIfStale(entry, stale);
    }

    /**
     * The node's lease was deleted. What was heard stays (the kubelet makes a new one, seen as a renewal); a lease
     * without a node is forgotten.
     */
    public void leaseDeleted(String node) {
        Entry entry = entries.get(node);
        if (entry != null) {
            synchronized (entry) {
                if (entry.facts == null) {
                    entry.removed = true;
                    entries.remove(node, entry);
                }
            }
        }
    }

    /**
     * The node's BMC answered {@code powerState}, or null when it did not answer. In stale-nodes mode only a node not
     * ALIVE is read, and an answer that comes after it is ALIVE again is no news; in every-node mode each answer is
     * news, if only that the reading is fresh.
     */
    public void powerRead(String node, String powerState) {
        Entry entry = entries.get(node);
        if (entry == null) {
            return;
        }
        Instant now = clock.instant();
        synchronized (entry) {
            boolean everyNode = judge.powerPoll() == PowerPoll.EVERY_NODE;
            if (entry.removed || !everyNode && entry.liveness == NodeLiveness.ALIVE) {
                return;
            }
            boolean changed = !Objects.equals(entry.powerState, powerState);
            entry.powerState = powerState;
            entry.powerReadAt = now;
            if (changed || everyNode) {
                update(entry, now, changed);
            }
        }
    }

    /**
     * The database ports of the managed pods bound to the node, as last probed ({@link DatabasePorts}). Only a node
     * that is not ALIVE is probed: for an ALIVE one this is no news, and what was probed is forgotten when it comes
     * back.
     */
    public void databasePortsProbed(String node, List<DatabasePort> ports) {
        Entry entry = entries.get(node);
        if (entry == null) {
            return;
        }
        Instant now = clock.instant();
        synchronized (entry) {
            if (entry.removed || entry.liveness == NodeLiveness.ALIVE || entry.databasePorts.equals(ports)) {
                return;
            }
            entry.databasePorts = List.copyOf(ports);
            update(entry, now, false);
        }
    }

    /** Whether node-watcher knows the node and judges it not ALIVE: its managed pods' ports are then probed. */
    public boolean notAlive(String node) {
        Entry entry = entries.get(node);
        return entry != null && entry.facts != null && !entry.removed && entry.liveness != NodeLiveness.ALIVE;
    }

    /** The periodic check: node-watcher's view of the API server now, then every node judged again. */
    public void check(boolean seesApiServer, String whyNot) {
        Instant now = clock.instant();
        ApiView before = view;
        if (before == null && !seesApiServer) {
            return; // nothing node-watcher knows yet is worth publishing
        }
        view = before == null ? ApiView.seeing(now) : before.next(seesApiServer, whyNot, now);
        for (Entry entry : entries.values()) {
            boolean stale;
            synchronized (entry) {
                stale = update(entry, now, false);
            }
            tellIfStale(entry, stale);
        }
    }

    /** node-watcher's view of the API server at the last check; empty before the first. */
    public Optional<ApiView> view() {
        return Optional.ofNullable(view);
    }

    /** The BMC (Redfish system URL) of every node to read: that has one and, in stale-nodes mode, is not ALIVE. */
    public Map<String, String> bmcsToPoll() {
        Map<String, String> bmcs = new HashMap<>();
        entries.values().forEach(e -> bmcToPoll(e).ifPresent(url -> bmcs.put(e.node, url)));
        return bmcs;
    }

    /** The node's BMC, if it has one and, in stale-nodes mode, is not ALIVE. */
    public Optional<String> bmcToPoll(String node) {
        return Optional.ofNullable(entries.get(node)).flatMap(this::bmcToPoll);
    }

    /** Known nodes (a Node object seen, not deleted) of that liveness. */
    public long count(NodeLiveness liveness) {
        return entries.values().stream().filter(e -> e.facts != null && e.liveness == liveness).count();
    }

    /** How many times a node went from one liveness to another. */
    public long transitions(NodeLiveness from, NodeLiveness to) {
        LongAdder count = transitions.get(new Transition(from, to));
        return count == null ? 0 : count.sum();
    }

    /** The node's liveness and why, if it is known. */
    public Optional<LivenessJudge.Verdict> verdict(String node) {
        Entry entry = entries.get(node);
        if (entry == null) {
            return Optional.empty();
        }
        synchronized (entry) {
            return entry.reason == null ? Optional.empty()
                    : Optional.of(new LivenessJudge.Verdict(entry.liveness, entry.reason));
        }
    }

    private Optional<String> bmcToPoll(Entry e) {
        NodeFacts facts = e.facts;
        boolean wanted = judge.powerPoll() == PowerPoll.EVERY_NODE || e.liveness != NodeLiveness.ALIVE;
        return facts != null && facts.bmcAddress() != null && wanted ? Optional.of(facts.bmcAddress())
                : Optional.empty();
    }

    private Entry entry(String node, Instant now) {
        while (true) {
            Entry entry = entries.computeIfAbsent(node, n -> new Entry(n, now));
            if (!entry.removed) {
                return entry;
            }
            entries.remove(node, entry); // deleted meanwhile: start afresh
        }
    }

    /**
     * Judges the node again (under its lock) and hands on a reading when the verdict changed or {@code newReading}
     * (the Node or its lease changed). Returns true when the node just stopped being ALIVE.
     */
    private boolean update(Entry entry, Instant now, boolean newReading) {
        ApiView current = view;
        if (entry.removed || entry.facts == null || current == null) {
            return false;
        }
        LivenessJudge.Verdict verdict = judge.judge(entry.signals(), entry.liveness, current, now);
        NodeLiveness before = entry.liveness;
        boolean changed = verdict.liveness() != before || !verdict.reason().equals(entry.reason);
        if (verdict.liveness() != before) {
            transitions.computeIfAbsent(new Transition(before, verdict.liveness()), t -> new LongAdder()).increment();
            if (verdict.liveness() == NodeLiveness.ALIVE && judge.powerPoll() == PowerPoll.STALE_NODES) {
                entry.powerState = null; // read only while the node is not ALIVE: what was read is no longer news
            }
            if (verdict.liveness() == NodeLiveness.ALIVE) {
                entry.databasePorts = List.of(); // probed only while the node is not ALIVE, likewise
            }
        }
        entry.liveness = verdict.liveness();
        entry.reason = verdict.reason();
        if (changed || newReading) {
            publish.accept(entry.reading(false));
        }
        return before == NodeLiveness.ALIVE && verdict.liveness() != NodeLiveness.ALIVE;
    }

    private void tellIfStale(Entry entry, boolean stale) {
        if (stale) {
            turnedStale.accept(entry.node);
        }
    }

    /** One node's signals and last verdict. Guarded by its own monitor; read without it only for metrics and polls. */
    private static final class Entry {
        final String node;
        /** When node-watcher first saw the node or its lease: "heard from" until a lease is seen. */
        final Instant firstSeen;
        volatile NodeFacts facts;
        String resourceVersion;
        Instant renewTime;
        Instant renewalHeardAt;
        Integer leaseDurationSeconds;
        String powerState;
        Instant powerReadAt;
        List<DatabasePort> databasePorts = List.of();
        volatile NodeLiveness liveness = NodeLiveness.ALIVE;
        String reason;
        boolean removed;

        Entry(String node, Instant firstSeen) {
            this.node = node;
            this.firstSeen = firstSeen;
        }

        LivenessJudge.Signals signals() {
            return new LivenessJudge.Signals(renewalHeardAt == null ? firstSeen : renewalHeardAt, renewTime != null,
                    leaseDurationSeconds, facts.readiness(), powerState, powerReadAt, databasePorts);
        }

        Reading<NodeHealthChanged> reading(boolean deleted) {
            // the power state is published only while the node is not ALIVE, in either mode: an ALIVE node's "On"
            // tells a consumer nothing the lease does not
            return new Reading<>(NodeHealth.of(facts, liveness, reason,
                    liveness == NodeLiveness.ALIVE ? null : powerState, renewTime), deleted, resourceVersion);
        }
    }
}
