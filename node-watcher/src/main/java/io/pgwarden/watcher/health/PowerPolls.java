package io.pgwarden.watcher.health;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reads the BMC's power state of the nodes the tracker names (every node not ALIVE, as the second signal; or every
 * node, with {@link PowerPoll#EVERY_NODE}): each round, and at once when a node turns stale. One read per node at a
 * time. A BMC that does not answer leaves the power unknown, never Off.
 */
public final class PowerPolls {

    /** Reads a Redfish ComputerSystem's PowerState; completes empty when the BMC does not answer or says nothing. */
    @FunctionalInterface
    public interface Port {
        CompletionStage<Optional<String>> powerState(String systemUrl);
    }

    private final LivenessTracker tracker;
    private final Port port;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final LongAdder answered = new LongAdder();
    private final LongAdder unanswered = new LongAdder();

    public PowerPolls(LivenessTracker tracker, Port port) {
        this.tracker = tracker;
        this.port = port;
    }

    /** A round: every node the tracker names. */
    public void pollAll() {
        tracker.bmcsToPoll().forEach(this::poll);
    }

    /** A node just turned stale: its power now rather than at the next round. */
    public void pollNow(String node) {
        tracker.bmcToPoll(node).ifPresent(url -> poll(node, url));
    }

    private void poll(String node, String systemUrl) {
        if (!inFlight.add(node)) {
            return;
        }
        CompletionStage<Optional<String>> answer;
        try {
            answer = port.powerState(systemUrl);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((state, failure) -> {
            inFlight.remove(node);
            String power = failure == null ? state.orElse(null) : null;
            (power == null ? unanswered : answered).increment();
            tracker.powerRead(node, power);
        });
    }

    /** Reads a BMC answered with a PowerState: what polling costs the BMCs. */
    public long answered() {
        return answered.sum();
    }

    /** Reads that ended without a PowerState (no answer in time, a refusal, an error). */
    public long unanswered() {
        return unanswered.sum();
    }
}
