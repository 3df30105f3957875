package io.pgwarden.backup.take;

import io.pgwarden.backup.decide.BackupAction;
import io.pgwarden.backup.decide.BackupDecider;
import io.pgwarden.backup.decide.BackupView;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;

/** A snapshot backup as an operation holding the database's lock: {@link BackupWorld} observes, {@link BackupDecider} decides. */
@Singleton
public class TakeBackupKind implements OperationKind<TakeBackup, BackupView, BackupAction> {
    private final BackupWorld world;
    private final BackupActions actions;
    private final BackupConfig config;

    public TakeBackupKind(BackupWorld world, BackupActions actions, BackupConfig config) {
        this.world = world;
        this.actions = actions;
        this.config = config;
    }

    @Override
    public Class<TakeBackup> commandClass() {
        return TakeBackup.class;
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
    public BackupView observe(TakeBackup command, Operation operation) throws Exception {
        return world.observe(command.namespace(), command.cluster(), BackupDecider.idTime(command, operation),
                operation);
    }

    @Override
    public Decision<BackupAction> decide(Operation operation, TakeBackup command, BackupView view, Instant now) {
        return BackupDecider.decide(operation, command, view, now, config.settings());
    }

    @Override
    public void apply(BackupAction action, TakeBackup command, Operation operation) throws Exception {
        actions.apply(action, command.namespace(), command.cluster());
    }
}
