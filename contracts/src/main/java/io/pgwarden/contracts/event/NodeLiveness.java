package io.pgwarden.contracts.event;

/**
 * Whether node-watcher hears from a node's kubelet, from its node Lease in {@code kube-node-lease}.
 * <ul>
 *   <li>{@code ALIVE}: the lease was renewed within the threshold, or node-watcher cannot tell (it is itself cut off
 *       from the API server, or within the grace period after it reconnected);</li>
 *   <li>{@code SUSPECT}: the lease is stale, and no second signal agrees yet;</li>
 *   <li>{@code UNREACHABLE}: the lease is stale and a second signal agrees (the BMC reports the power off, the node
 *       is not Ready, or the managed database's port does not answer).</li>
 * </ul>
 * A node that goes back to {@code ALIVE} from either of the others has recovered.
 */
public enum NodeLiveness { ALIVE, SUSPECT, UNREACHABLE }
