package io.pgwarden.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.e2e.BenchmarkSupport.millis;
import static io.pgwarden.e2e.BenchmarkSupport.rank;

/**
 * The failover benchmark's figures: durations between the marks of each run (the power-off, the incident's phases as
 * failover-service recorded them, and what the benchmark saw itself), as p50 / p99 / max over the runs. A mark a run
 * did not reach leaves that figure out for that run, so each figure says over how many runs it was taken.
 */
final class FailoverFigures {
    /** The benchmark's marks besides the incident's phases. */
    static final String OFF = "power-off";
    static final String POD_DELETED = "old pod deleted";
    static final String POD_CREATED = "new pod created";
    static final String POD_READY = "new pod Ready";
    /** From the sandbox's timeline: the external-attacher marked the volume attached to the new node. */
    static final String VOLUME_ATTACHED = "volume attached";
    /** From the sandbox's timeline: the kubelet's probe of the new PostgreSQL answered (before it posts the status). */
    static final String POSTGRES_ANSWERS = "PostgreSQL answers";
    static final String WRITES_BACK = "client's first write";
    /** The turn the storm guard let the incident past ({@code stormSettledAt} in the incident's data). */
    static final String SETTLED = "storm guard passed";

    /** A duration from one mark to another. */
    record Figure(String label, String from, String to) {
    }

    static final Figure END_TO_END = new Figure("end to end", OFF, "recovered");
    static final Figure FENCE_REQUESTED = new Figure("storm guard passed → fence requested", SETTLED, "fencing");
    static final Figure POD_FORCE_DELETED = new Figure("fence confirmed → pod force-deleted", "fenced", POD_DELETED);

    /** In the order printed, by group. */
    static final Map<String, List<Figure>> GROUPS = groups();

    private static Map<String, List<Figure>> groups() {
        Map<String, List<Figure>> groups = new LinkedHashMap<>();
        groups.put("phases", List.of(
                new Figure("detection", OFF, "suspected"),
                new Figure("confirmation", "suspected", "confirmed"),
                new Figure("storm guard (its settle wait)", "confirmed", SETTLED),
                new Figure("fence", SETTLED, "fenced"),
                new Figure("release (pods deleted, volumes detached)", "fenced", "recovering"),
                new Figure("recovery (new pod Ready, a committed write)", "recovering", "recovered"),
                END_TO_END));
        groups.put("since the power-off", List.of(
                new Figure("detected", OFF, "suspected"),
                new Figure("confirmed", OFF, "confirmed"),
                new Figure("fenced", OFF, "fenced"),
                new Figure("released", OFF, "recovering"),
                new Figure("recovered", OFF, "recovered"),
                new Figure("the client's writes accepted again", OFF, WRITES_BACK)));
        // The release begins in the turn that sees the fence confirmed: at.fenced and at.releasing are one instant.
        groups.put("pgwarden's own reaction", List.of(FENCE_REQUESTED,
                new Figure("release begins → pod force-deleted (taint, delete)", "releasing", POD_DELETED),
                POD_FORCE_DELETED));
        groups.put("inside release and recovery (the cluster's part)", List.of(
                new Figure("old pod deleted → volumes detached", POD_DELETED, "recovering"),
                new Figure("old pod deleted → new pod created", POD_DELETED, POD_CREATED),
                new Figure("new pod created → volume attached", POD_CREATED, VOLUME_ATTACHED),
                new Figure("volume attached → PostgreSQL answers (mount, start)", VOLUME_ATTACHED, POSTGRES_ANSWERS),
                new Figure("PostgreSQL answers → new pod Ready (status)", POSTGRES_ANSWERS, POD_READY),
                new Figure("new pod created → Ready", POD_CREATED, POD_READY),
                new Figure("new pod Ready → write check passed", POD_READY, "recovered")));
        return groups;
    }

    private FailoverFigures() {
    }

    /**
     * A run's marks: the power-off, each {@code at.<phase>} of its incident, the turn its storm guard let it past, and
     * what the benchmark saw.
     */
    static Map<String, Instant> marks(Instant off, Map<String, String> incident, Map<String, Instant> seen) {
        Map<String, Instant> marks = new LinkedHashMap<>();
        marks.put(OFF, off);
        for (String phase : IncidentRecords.PHASES) {
            String at = incident.get("at." + phase);
            if (at != null) {
                marks.put(phase, Instant.parse(at));
            }
            if (phase.equals("confirmed") && incident.get("stormSettledAt") != null) {
                marks.put(SETTLED, Instant.parse(incident.get("stormSettledAt")));
            }
        }
        marks.putAll(seen);
        return marks;
    }

    static Optional<Duration> of(Figure figure, Map<String, Instant> marks) {
        Instant from = marks.get(figure.from());
        Instant to = marks.get(figure.to());
        return from == null || to == null ? Optional.empty() : Optional.of(Duration.between(from, to));
    }

    /** The figure over the runs that reached both its marks, in nanoseconds. */
    static List<Long> samples(Figure figure, List<Map<String, Instant>> runs) {
        List<Long> samples = new ArrayList<>();
        for (Map<String, Instant> marks : runs) {
            of(figure, marks).ifPresent(d -> samples.add(d.toNanos()));
        }
        return samples;
    }

    /** The nearest-rank percentile of the figure, if any run reached it. */
    static Optional<Duration> percentile(Figure figure, List<Map<String, Instant>> runs, double q) {
        long[] sorted = samples(figure, runs).stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(rank(sorted, q)));
    }

    /** Every figure as a line: label, marks, p50, p99, max, runs. */
    static String table(List<Map<String, Instant>> runs) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "   %-52s %-38s %9s %9s %9s %5s%n", "figure", "from → to", "p50",
                runs.size() < 100 ? "p99=max" : "p99", "max", "runs"));
        GROUPS.forEach((group, figures) -> {
            text.append("   ").append(group).append('\n');
            for (Figure f : figures) {
                long[] sorted = samples(f, runs).stream().mapToLong(Long::longValue).sorted().toArray();
                String marks = f.from() + " → " + f.to();
                if (sorted.length == 0) {
                    text.append(String.format(Locale.ROOT, "     %-50s %-38s %9s %9s %9s %5d%n", f.label(), marks,
                            "-", "-", "-", 0));
                } else {
                    text.append(String.format(Locale.ROOT, "     %-50s %-38s %9s %9s %9s %5d%n", f.label(), marks,
                            millis(rank(sorted, 0.50)), millis(rank(sorted, 0.99)), millis(sorted[sorted.length - 1]),
                            sorted.length));
                }
            }
        });
        return text.toString();
    }
}
