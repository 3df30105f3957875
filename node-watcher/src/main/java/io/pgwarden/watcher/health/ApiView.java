package io.pgwarden.watcher.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether node-watcher sees the API server (its watches of Nodes and node Leases are up and the API server answers),
 * since when, and when it was blind lately. Lease staleness counts only the time node-watcher saw: what happened while
 * it was blind, it could not have seen. Counting the blind time out (rather than starting every age again when the
 * view comes back) costs a routine watch restart of a second only that second.
 *
 * @param sees   node-watcher's watches are up and the API server answers
 * @param since  when this became so
 * @param whyNot what is wrong, in words, when it does not see
 * @param blind  the blind spells that ended lately, oldest first
 */
public record ApiView(boolean sees, Instant since, String whyNot, List<Spell> blind) {
    /** Spells older than this are forgotten: no lease threshold is that long. */
    static final Duration MEMORY = Duration.ofHours(1);
    static final int MAX_SPELLS = 256;

    /** A time node-watcher did not see the API server. */
    public record Spell(Instant from, Instant to) {
    }

    public ApiView {
        blind = List.copyOf(blind);
    }

    public static ApiView seeing(Instant since) {
        return new ApiView(true, since, null, List.of());
    }

    public static ApiView blind(Instant since, String whyNot) {
        return new ApiView(false, since, whyNot, List.of());
    }

    /** The view after a check at {@code now}: {@code since} moves only when seeing turns into blind or back. */
    public ApiView next(boolean seesNow, String whyNotNow, Instant now) {
        if (seesNow) {
            if (sees) {
                return this;
            }
            List<Spell> spells = new ArrayList<>(blind);
            spells.add(new Spell(since, now));
            spells.removeIf(s -> s.to().isBefore(now.minus(MEMORY)));
            return new ApiView(true, now, null, spells.subList(Math.max(0, spells.size() - MAX_SPELLS), spells.size()));
        }
        return new ApiView(false, sees ? now : since, whyNotNow, blind);
    }

    /** How long node-watcher was blind between {@code from} and {@code to} (a blind view counts up to {@code to}). */
    public Duration blindBetween(Instant from, Instant to) {
        Duration total = Duration.ZERO;
        for (Spell s : blind) {
            total = total.plus(overlap(s.from(), s.to(), from, to));
        }
        if (!sees) {
            total = total.plus(overlap(since, to, from, to));
        }
        return total;
    }

    private static Duration overlap(Instant a, Instant b, Instant from, Instant to) {
        Instant start = a.isAfter(from) ? a : from;
        Instant end = b.isBefore(to) ? b : to;
        return end.isAfter(start) ? Duration.between(start, end) : Duration.ZERO;
    }
}
