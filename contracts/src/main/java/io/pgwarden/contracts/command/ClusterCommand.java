package io.pgwarden.contracts.command;

/** A command that acts on one managed database (its StatefulSet); keyed by {@code namespace/cluster}. */
public sealed interface ClusterCommand extends Command permits TakeBackup, RestoreBackup, DeleteBackup, VerifyBackup, UndoRestore,
        SetBackupSchedule, DeleteBackupSchedule, PlannedCommand {

    String namespace();

    String cluster();

    @Override
    default String subject() {
        return namespace() + "/" + cluster();
    }
}
