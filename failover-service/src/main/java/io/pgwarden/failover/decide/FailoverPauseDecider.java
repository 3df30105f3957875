package io.pgwarden.failover.decide;

import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.util.List;
import java.util.Optional;

/** PauseFailover and ResumeFailover: record the switch, then see it recorded. */
public final class FailoverPauseDecider {
    public static final String SETTING = "setting";
    public static final String SUBJECT = "failover";

    private FailoverPauseDecider() {
    }

    /** @param pausedBecause the pause as recorded now, if paused */
    public static Decision<SetPause> decide(Operation op, boolean pause, String reason, Optional<String> pausedBecause) {
        boolean done = pausedBecause.isPresent() == pause;
        if (done && Operation.START.equals(op.phase())) {
            return Decision.succeed(pause ? "failover was already " + pausedBecause.get() : "failover was not paused",
                    new Activity(SUBJECT, pause ? "FailoverAlreadyPaused" : "FailoverNotPaused", false,
                            pause ? "failover was already " + pausedBecause.get() : "failover was not paused"));
        }
        if (done) {
            String what = pause ? "paused automatic failover" : "resumed automatic failover";
            return Decision.succeed(what, new Activity(SUBJECT, pause ? "FailoverPaused" : "FailoverResumed", true,
                    what + (reason == null ? "" : ": " + reason)));
        }
        return Decision.act(SETTING, pause ? "pausing failover" : "resuming failover",
                List.of(new SetPause(pause, reason)));
    }

    public record SetPause(boolean paused, String reason) {
    }
}
