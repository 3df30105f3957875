package io.pgwarden.backup.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A schedule's slots: the instants its cron expression names, in its zone. Five fields are a Unix cron
 * ({@code 0 3 * * *}, minutes), six or seven a Quartz one with seconds ({@code 0/10 * * * * ?}), as quarkus-scheduler
 * reads them (its default cron type is Quartz); both are parsed by cron-utils, the library quarkus-scheduler uses.
 */
public final class CronSlots {
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime executions;

    private CronSlots(String expression, ZoneId zone, Cron cron) {
        this.expression = expression;
        this.zone = zone;
        this.executions = ExecutionTime.forCron(cron);
    }

    /**
     * The slots of {@code expression} in {@code zone} (UTC when null).
     *
     * @throws IllegalArgumentException saying what is wrong with the expression or the zone
     */
    public static CronSlots parse(String expression, String zone) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("a cron expression is required");
        }
        ZoneId zoneId;
        try {
            zoneId = zone == null || zone.isBlank() ? ZoneId.of("UTC") : ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + zone + "' (an IANA name such as Europe/Berlin)");
        }
        String trimmed = expression.trim();
        int fields = trimmed.split("\\s+").length;
        CronParser parser = switch (fields) {
            case 5 -> UNIX;
            case 6, 7 -> QUARTZ;
            default -> throw new IllegalArgumentException("invalid cron expression '" + trimmed + "': " + fields
                    + " fields; five (Unix: minute hour day-of-month month day-of-week) or six to seven (Quartz, with"
                    + " seconds first)");
        };
        try {
            Cron cron = parser.parse(trimmed).validate();
            return new CronSlots(trimmed, zoneId, cron);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cron expression '" + trimmed + "': " + e.getMessage());
        }
    }

    /** The latest slot at or before {@code now}. */
    public Optional<Instant> latestAtOrBefore(Instant now) {
        ZonedDateTime at = now.atZone(zone);
        // lastExecution is strictly before; a Unix cron's isMatch ignores seconds, so ask whether now is the next slot
        if (at.getNano() == 0 && executions.nextExecution(at.minusSeconds(1)).filter(at::isEqual).isPresent()) {
            return Optional.of(now);
        }
        return executions.lastExecution(at).map(ZonedDateTime::toInstant);
    }

    /** The first slot after {@code instant}. */
    public Optional<Instant> nextAfter(Instant instant) {
        return executions.nextExecution(instant.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }
}
