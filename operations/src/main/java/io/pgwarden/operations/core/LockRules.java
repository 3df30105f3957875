package io.pgwarden.operations.core;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether an operation may take its database's lease. A free lease is taken; the operation's own is
 * renewed. A live lease of another operation makes the database busy. An expired lease of another
 * operation is taken over only when that operation's persisted state says it finished (it ended without
 * releasing); an expired holder that is unfinished, or whose state this service cannot read (another
 * service's), keeps the database busy: its runner may be down mid-step, and only its own resumption
 * knows what it left behind.
 */
public final class LockRules {

    /** What to do about the lease. */
    public enum Verdict { TAKE, RENEW, TAKE_OVER, BUSY }

    private LockRules() {
    }

    /**
     * @param lease        the current lease, if any
     * @param me           the asking operation's id
     * @param holderIsDone for a holder of this service: whether its operation is final; empty when unknown here
     */
    public static Verdict judge(Optional<DatabaseLease> lease, String me, Instant now,
                                Optional<Boolean> holderIsDone) {
        if (lease.isEmpty() || lease.get().holder() == null || lease.get().holder().isEmpty()) {
            return Verdict.TAKE;
        }
        DatabaseLease l = lease.get();
        if (l.holder().equals(me)) {
            return Verdict.RENEW;
        }
        if (holderIsDone.orElse(false)) {
            return Verdict.TAKE_OVER;
        }
        return Verdict.BUSY;
    }
}
