package io.pgwarden.database;

/**
 * Whether a managed database accepts a write, checked through its Service with the credentials its StatefulSet's
 * {@code pgwarden.io/credentials-secret} annotation names. Two adapters reach the Service: cluster DNS in a cluster,
 * and the local address the sandbox publishes for it.
 */
public interface DatabaseWrites {

    /**
     * Commits a transaction that has a transaction id, so its commit record is written to the WAL; a standby or a
     * server in recovery refuses it. Nothing is created in the user's database.
     *
     * @return empty when the write committed, else what went wrong in words
     */
    java.util.Optional<String> tryWrite(String namespace, String statefulSet);
}
