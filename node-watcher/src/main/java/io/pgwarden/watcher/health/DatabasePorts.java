package io.pgwarden.watcher.health;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Probes the database port of each managed pod bound to a node that is not ALIVE (a healthy node's pods are never
 * probed): at once when the node turns stale, then at every liveness check while it stays so; one probe per pod at a
 * time. Hands the tracker the node's ports after each answer, and whenever its managed pods change. What was probed
 * in an earlier stale spell of the node counts for nothing.
 */
public final class DatabasePorts {

    /**
     * Opens a TCP connection to the pod's database port and closes it. Completes with whether it opened, or empty
     * when the port could not be probed (no address known): unknown, never silent.
     */
    @FunctionalInterface
    public interface Port {
        CompletionStage<Optional<DatabasePort.Answer>> probe(ManagedPod pod);
    }

    /** An answer and the pod as it was when probed: a pod started again elsewhere, or with a new IP, is not it. */
    private record Probed(ManagedPod pod, DatabasePort.Answer answer) {
    }

    private final LivenessTracker tracker;
    private final Port port;
    private final ConcurrentMap<String, ManagedPod> pods = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Probed> answers = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final LongAdder answered = new LongAdder();
    private final LongAdder silent = new LongAdder();
    private final LongAdder unknown = new LongAdder();

    public DatabasePorts(LivenessTracker tracker, Port port) {
        this.tracker = tracker;
        this.port = port;
    }

    /**
     * The pod informer delivered a managed pod: {@code pod} is its database port, or empty when it has none to probe
     * (deleted, not bound, no IP yet, finished).
     */
    public void podObserved(String namespace, String name, Optional<ManagedPod> pod) {
        String key = namespace + "/" + name;
        ManagedPod before = pod.isPresent() ? pods.put(key, pod.get()) : pods.remove(key);
        if (Objects.equals(before, pod.orElse(null))) {
            return;
        }
        answers.remove(key);
        if (before != null) {
            tell(before.node());
        }
        pod.ifPresent(p -> tell(p.node()));
    }

    /** A liveness check: every managed pod of a node that is not ALIVE is probed; the others' answers forgotten. */
    public void probeAll() {
        Map<String, Boolean> stale = new HashMap<>();
        for (ManagedPod pod : pods.values()) {
            if (stale.computeIfAbsent(pod.node(), tracker::notAlive)) {
                probe(pod);
            } else {
                answers.remove(pod.pod());
            }
        }
    }

    /** The node just turned stale: its pods' ports now, rather than at the next check, and nothing older counts. */
    public void probeNow(String node) {
        List<ManagedPod> onNode = pods.values().stream().filter(p -> p.node().equals(node)).toList();
        onNode.forEach(p -> answers.remove(p.pod()));
        if (tracker.notAlive(node)) {
            onNode.forEach(this::probe);
        }
    }

    private void probe(ManagedPod pod) {
        if (!inFlight.add(pod.pod())) {
            return;
        }
        CompletionStage<Optional<DatabasePort.Answer>> answer;
        try {
            answer = port.probe(pod);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((found, failure) -> {
            inFlight.remove(pod.pod());
            Optional<DatabasePort.Answer> result = failure == null ? found : Optional.empty();
            result.ifPresentOrElse(a -> (a.answers() ? answered : silent).increment(), unknown::increment);
            if (!pod.equals(pods.get(pod.pod())) || !tracker.notAlive(pod.node())) {
                return; // the pod changed, or its node came back, while the probe was out
            }
            result.ifPresentOrElse(a -> answers.put(pod.pod(), new Probed(pod, a)), () -> answers.remove(pod.pod()));
            tell(pod.node());
        });
    }

    /** Hands the tracker the node's managed pods' ports; it ignores them while the node is ALIVE. */
    private void tell(String node) {
        List<DatabasePort> ports = new ArrayList<>();
        for (ManagedPod pod : pods.values()) {
            if (pod.node().equals(node)) {
                Probed probed = answers.get(pod.pod());
                ports.add(new DatabasePort(pod.pod(), pod.address(),
                        probed != null && probed.pod().equals(pod) ? probed.answer() : null));
            }
        }
        ports.sort(Comparator.comparing(DatabasePort::pod));
        tracker.databasePortsProbed(node, ports);
    }

    /** Probes whose connection opened. */
    public long answered() {
        return answered.sum();
    }

    /** Probes refused or timed out. */
    public long silent() {
        return silent.sum();
    }

    /** Probes that could not be made (no address known, an error). */
    public long unknown() {
        return unknown.sum();
    }
}
