package io.pgwarden.leader;

/**
 * This replica started or stopped leading its service, fired as a CDI event on every change, in order, on the
 * leader-election event thread (an observer that blocks delays later events, never the Lease renewal).
 *
 * @param leading  whether this replica leads now
 * @param identity this replica's holder identity
 */
public record LeadershipChanged(boolean leading, String identity) {
}
