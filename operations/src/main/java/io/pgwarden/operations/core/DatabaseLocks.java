package io.pgwarden.operations.core;

import java.util.Optional;

/**
 * The per-database lease every service that changes a database takes first (a Kubernetes Lease named
 * {@code pgwarden-op-<statefulset>} in its namespace). Writes are conditional on what was read, so two
 * operations racing for a free lease cannot both win.
 */
public interface DatabaseLocks {

    Optional<DatabaseLease> read(String namespace, String statefulSet) throws Exception;

    /** What came of an attempt to take the lease. */
    enum Take { TAKEN, CHANGED_MEANWHILE, NO_SUCH_NAMESPACE }

    /** Takes the lease for operation, unless it changed since {@code seen} was read. */
    Take take(String namespace, String statefulSet, Operation operation, Optional<DatabaseLease> seen)
            throws Exception;

    /** Renews the lease operation holds; false when it no longer holds it. */
    boolean renew(String namespace, String statefulSet, Operation operation) throws Exception;

    /** Gives the lease up if operation holds it; nothing when it does not. */
    void release(String namespace, String statefulSet, String operationId) throws Exception;
}
