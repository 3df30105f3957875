package io.pgwarden.failover.api;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An incident's timeline from what its operation remembers: one {@code at.<phase>} entry per phase it entered,
 * each with how long it lasted (until the next phase, or until the end, or until now while it is open).
 */
public final class IncidentTimeline {
    static final String AT = "at.";

    /** The phases in the order an incident goes through them; ties in time are shown in this order. */
    static final List<String> PHASES = List.of("suspected", "confirmed", "fencing", "fenced", "releasing",
            "recovering", "recovered", "aborted", "failed");

    /** One phase the incident entered: when, and how long it stayed. */
    public record Entry(String phase, Instant at, long durationMillis) {
    }

    private IncidentTimeline() {
    }

    /**
     * @param data    the operation's data ({@code at.<phase>} = ISO-8601 instant, among other keys)
     * @param endedAt when the incident ended; null while it is open
     * @param now     the time the durations of an open incident run to
     */
    public static List<Entry> of(Map<String, String> data, Instant endedAt, Instant now) {
        record Seen(String phase, Instant at) {
        }
        List<Seen> seen = new ArrayList<>();
        data.forEach((key, value) -> {
            if (key.startsWith(AT) && key.length() > AT.length()) {
                try {
                    seen.add(new Seen(key.substring(AT.length()), Instant.parse(value)));
                } catch (DateTimeParseException | NullPointerException e) {
                    // A time that does not parse is left out: the rest of the timeline is still worth showing.
                }
            }
        });
        seen.sort(Comparator.comparing(Seen::at).thenComparing(s -> order(s.phase())).thenComparing(Seen::phase));
        Instant end = endedAt != null ? endedAt : now;
        List<Entry> timeline = new ArrayList<>(seen.size());
        for (int i = 0; i < seen.size(); i++) {
            Instant until = i + 1 < seen.size() ? seen.get(i + 1).at() : end;
            Duration lasted = Duration.between(seen.get(i).at(), until);
            // A clock that stepped back (or an end recorded before the last phase) gives no negative duration.
            timeline.add(new Entry(seen.get(i).phase(), seen.get(i).at(), lasted.isNegative() ? 0L : lasted.toMillis()));
        }
        return timeline;
    }

    private static int order(String phase) {
        int i = PHASES.indexOf(phase);
        return i < 0 ? PHASES.size() : i;
    }
}
