package io.pgwarden.backup.restore;

import io.pgwarden.backup.decide.RestoreView.DatabaseSeen;

/** The restored database, through its Service: whether it accepts a write, where recovery ended, and its settings. */
public interface RestoredDatabase {

    DatabaseSeen look(String namespace, String statefulSet);

    /** ALTER SYSTEM RESET of the recovery settings the helper Job wrote, then a reload. */
    void resetRecoverySettings(String namespace, String statefulSet) throws Exception;
}
