package io.pgwarden.operations.core;

import io.pgwarden.contracts.event.CommandState;

import java.time.Instant;
import java.util.Map;

/** Operations for tests. */
final class Operations {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private Operations() {
    }

    static Operation accepted(String id, String subject) {
        return new Operation(id, 1, "CordonNode", subject, "io.pgwarden.CordonNode", id, new byte[0], Operation.START,
                Map.of(), CommandState.ACCEPTED, null, null, 0, T0, T0.plusSeconds(120), null, null, 1, T0, T0);
    }
}
