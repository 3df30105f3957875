package io.pgwarden.operations.core;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which operations to start when workers are free. Only the oldest unfinished operation of a subject may
 * run (a subject's operations run in arrival order); among the subjects whose head is due and free, the
 * one served longest ago goes first, so a burst on some nodes cannot starve another node's operation.
 */
public final class RunQueue {

    /** The oldest unfinished operation of one subject, as the dispatcher sees it. */
    public record Head(String id, String subject, Instant nextAttemptAt, String owner, Instant claimExpiresAt) {
    }

    private RunQueue() {
    }

    /**
     * @param lastServed when each subject last had an operation started here; a subject not in it never did
     * @return the ids to claim, at most free of them
     */
    public static List<String> pick(List<Head> heads, String runner, Instant now, Set<String> inFlight,
                                    Map<String, Instant> lastServed, int free) {
        return heads.stream()
                .filter(h -> !inFlight.contains(h.id()))
                .filter(h -> !h.nextAttemptAt().isAfter(now))
                .filter(h -> h.owner() == null || h.owner().equals(runner) || h.claimExpiresAt() == null
                        || !now.isBefore(h.claimExpiresAt()))
                .sorted(Comparator.comparing((Head h) -> lastServed.getOrDefault(h.subject(), Instant.MIN))
                        .thenComparing(Head::nextAttemptAt))
                .limit(Math.max(free, 0))
                .map(Head::id)
                .toList();
    }
}
