package io.pgwarden.failover.fence;

/**
 * One way to make sure a node can no longer write to storage: cut its power through its BMC, or blocklist its
 * storage client at the storage. Each call is idempotent; {@link #status} reads the world, it never assumes a
 * fence is in place because it was asked for.
 */
public interface FenceDriver {

    /** The name configuration and the node label {@code pgwarden.io/fence-driver} choose it by. */
    String name();

    /** What is wrong with this node's setup for this driver (no BMC address, no storage address...), if anything. */
    java.util.Optional<String> misconfiguration(FenceTarget target);

    /** Asks for the fence (again, if need be). */
    void fence(FenceTarget target) throws Exception;

    /** Whether the fence is confirmed in place now. */
    FenceStatus status(FenceTarget target) throws Exception;

    /** Lifts the fence; with {@code powerOn} a power fence also powers the node on. */
    void unfence(FenceTarget target, boolean powerOn) throws Exception;

    /**
     * Whether a fence read as {@code status} no longer keeps the node off its storage: NOT_FENCED for a storage
     * fence, whose lifting is a state of its own; a power fence is lifted once the machine is no longer off.
     */
    default boolean isLifted(FenceStatus status) {
        return status.state() == FenceStatus.State.NOT_FENCED;
    }

    /**
     * True when the out-of-service taint is itself the fence (Ceph CSI with {@code enable-fencing} blocklists the
     * node when it unpublishes its volumes), so the taint goes on before the fence is confirmed and the fence is
     * confirmed by the detach.
     */
    default boolean taintFences() {
        return false;
    }
}
