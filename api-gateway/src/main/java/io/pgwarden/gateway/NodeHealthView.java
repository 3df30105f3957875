package io.pgwarden.gateway;

import io.pgwarden.contracts.event.NodeHealthChanged;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest health of every node, from {@code pgwarden.node-health.v1}: per node, the event with the highest
 * {@code sequence} wins, whatever order events arrive in. A deleted node is kept as its deletion (so an older
 * event cannot bring it back) and is not listed.
 */
public final class NodeHealthView {
    private final Map<String, NodeHealthChanged> latest = new ConcurrentHashMap<>();

    /** Applies an event; false when it is not newer than what is known of its node. */
    public boolean apply(NodeHealthChanged event) {
        boolean[] applied = {false};
        latest.compute(event.node(), (node, known) -> {
            if (known != null && known.sequence() >= event.sequence()) {
                return known;
            }
            applied[0] = true;
            return event;
        });
        return applied[0];
    }

    /** The nodes that exist, by name. */
    public List<NodeHealthChanged> nodes() {
        return latest.values().stream().filter(n -> !n.deleted())
                .sorted(Comparator.comparing(NodeHealthChanged::node)).toList();
    }
}
