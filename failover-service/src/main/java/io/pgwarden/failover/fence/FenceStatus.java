package io.pgwarden.failover.fence;

/**
 * A fence as read from its agent.
 *
 * @param state  where it stands
 * @param detail what was read, in words (e.g. "BMC reports PowerState Off", "NetworkFence pgwarden-node002 Failed: ...")
 */
public record FenceStatus(State state, String detail) {

    public enum State {
        /** Not asked for, or lifted. */
        NOT_FENCED,
        /** Asked for, not confirmed yet. */
        PENDING,
        /** Confirmed: the node cannot write. */
        FENCED,
        /** The agent refused or reported failure; {@code detail} says why. */
        FAILED
    }

    public static FenceStatus of(State state, String detail) {
        return new FenceStatus(state, detail);
    }
}
