package io.pgwarden.backup.schedule;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** A backup's id: {@code <cluster>-<yyyyMMdd-HHmmss>} in UTC, of its slot or of when it was asked for. */
public final class BackupIds {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private BackupIds() {
    }

    public static String of(String cluster, Instant at) {
        return cluster + "-" + STAMP.format(at);
    }
}
