package io.pgwarden.failover.api;

import io.pgwarden.contracts.event.CommandState;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where an incident stands, in the words of the API: open while its operation runs, then how it ended. The
 * operation's state says whether it ended well; its phase says whether that was a recovery or an abort.
 */
public enum IncidentState {
    OPEN("state IN ('ACCEPTED', 'RUNNING')"),
    RECOVERED("state = 'SUCCEEDED' AND phase <> 'aborted'"),
    ABORTED("state = 'SUCCEEDED' AND phase = 'aborted'"),
    FAILED("state IN ('FAILED', 'REJECTED')");

    /** The query's values, for messages and the OpenAPI document. */
    public static final String WORDS = "open|recovered|aborted|failed";

    private final String condition;

    IncidentState(String condition) {
        this.condition = condition;
    }

    /** The incident state of an operation in this state and phase; {@link #condition} is the same rule in SQL. */
    public static IncidentState of(CommandState state, String phase) {
        return switch (state) {
            case ACCEPTED, RUNNING -> OPEN;
            case SUCCEEDED -> "aborted".equals(phase) ? ABORTED : RECOVERED;
            case FAILED, REJECTED -> FAILED;
        };
    }

    public static Optional<IncidentState> ofWord(String word) {
        return Arrays.stream(values()).filter(s -> s.word().equals(word)).findFirst();
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The rows of operation in this state, as a SQL condition on its columns. */
    String condition() {
        return condition;
    }
}
