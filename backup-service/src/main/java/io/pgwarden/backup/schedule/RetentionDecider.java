package io.pgwarden.backup.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Which of a schedule's completed backups retention deletes. A backup beyond the last {@code keepLast} or older than
 * {@code maxAge} expires, except the database's newest completed backup (the last good one) and any backup a restore
 * or a drill is using.
 */
public final class RetentionDecider {
    private RetentionDecider() {
    }

    /** A completed backup as retention sees it. */
    public record Kept(String id, Instant completedAt) {
    }

    /** A backup to delete and why. */
    public record Expired(String id, String reason) {
    }

    /**
     * @param scheduled   the schedule's completed backups
     * @param lastGood    the id of the database's newest completed backup (any schedule or on request), if any
     * @param inUse       ids a restore or a drill is using now
     */
    public static List<Expired> expired(List<Kept> scheduled, Retention retention, String lastGood, Set<String> inUse,
                                        Instant now) {
        List<Kept> newestFirst = scheduled.stream().sorted(Comparator.comparing(Kept::completedAt).reversed()
                .thenComparing(Kept::id, Comparator.reverseOrder())).toList();
        List<Expired> expired = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            Kept backup = newestFirst.get(i);
            if (backup.id().equals(lastGood) || inUse.contains(backup.id())) {
                continue;
            }
            Duration age = Duration.between(backup.completedAt(), now);
            if (retention.keepLast() != null && i >= retention.keepLast()) {
                expired.add(new Expired(backup.id(), "beyond the last " + retention.keepLast() + " backups"));
            } else if (retention.maxAge() != null && age.compareTo(retention.maxAge()) > 0) {
                expired.add(new Expired(backup.id(), "older than " + retention.maxAge() + " (" + age.toSeconds()
                        + " s)"));
            }
        }
        return expired;
    }
}
