package io.pgwarden.backup.take;

import io.pgwarden.backup.decide.BackupAction;
import io.pgwarden.backup.decide.DeleteDecider;
import io.pgwarden.backup.decide.DeleteView;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;

/** Deleting one backup, holding its database's lock so no backup or restore of it runs meanwhile. */
@Singleton
public class DeleteBackupKind implements OperationKind<DeleteBackup, DeleteView, BackupAction> {
    private final BackupWorld world;
    private final BackupActions actions;
    private final BackupConfig config;

    public DeleteBackupKind(BackupWorld world, BackupActions actions, BackupConfig config) {
        this.world = world;
        this.actions = actions;
        this.config = config;
    }

    @Override
    public Class<DeleteBackup> commandClass() {
        return DeleteBackup.class;
    }

    @Override
    public Duration timeout() {
        return config.timeout();
    }

    @Override
    public BusyRule whenBusy() {
        return BusyRule.REJECT;
    }

    @Override
    public DeleteView observe(DeleteBackup command, Operation operation) throws Exception {
        return world.observeDelete(command.namespace(), command.backupId());
    }

    @Override
    public Decision<BackupAction> decide(Operation operation, DeleteBackup command, DeleteView view, Instant now) {
        return DeleteDecider.decide(operation, command, view, now, config.settings());
    }

    @Override
    public void apply(BackupAction action, DeleteBackup command, Operation operation) throws Exception {
        actions.apply(action, command.namespace(), command.cluster());
    }
}
