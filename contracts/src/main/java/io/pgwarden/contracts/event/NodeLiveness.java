package io.pgwarden.contracts.event;

/**
 * Whether node-watcher hears from a node's kubelet, from its node Lease in {@code kube-node-lease}.
 * <ul>
 *   <li>{@code ALIVE}: the lease was renewed within the threshold, not counting the time node-watcher was cut off
 *       from the API server, or node-watcher cannot tell (cut off from it while the node was ALIVE);</li>
 *   <li>{@code SUSPECT}: the lease is stale, and no second signal agrees yet;</li>
 *   <li>{@code UNREACHABLE}: the lease is stale and a second signal agrees (the BMC reports the power off, or the
 *       node is not Ready).</li>
 * </ul>
 * While node-watcher is cut off from the API server no node changes between these (a SUSPECT node stays SUSPECT),
 * and {@code livenessReason} says so. A node that goes back to {@code ALIVE} from either of the others has recovered.
 */
public enum NodeLiveness { ALIVE, SUSPECT, UNREACHABLE }
