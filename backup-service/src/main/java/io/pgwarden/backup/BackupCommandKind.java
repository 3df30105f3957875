package io.pgwarden.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.command.ClusterCommand;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.backup.decide.NotYetAvailableDecider;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;

/**
 * Backup and backup deletion as operations on the engine (restores: {@link io.pgwarden.backup.restore.RestoreKind},
 * drills, which take no lock: {@link io.pgwarden.backup.drill.DrillKind}). Each holds its database's lease; a
 * database busy with another operation (a failover, another backup) answers REJECTED with the holder.
 */
public abstract class BackupCommandKind<C extends ClusterCommand> implements OperationKind<C, Boolean, Void> {
    private final KubernetesClient client;
    private final Class<C> commandClass;

    BackupCommandKind(KubernetesClient client, Class<C> commandClass) {
        this.client = client;
        this.commandClass = commandClass;
    }

    @Override
    public Class<C> commandClass() {
        return commandClass;
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(30);
    }

    @Override
    public BusyRule whenBusy() {
        return BusyRule.REJECT;
    }

    @Override
    public Boolean observe(C command, Operation operation) {
        return client.apps().statefulSets().inNamespace(command.namespace()).withName(command.cluster()).get() != null;
    }

    @Override
    public Decision<Void> decide(Operation operation, C command, Boolean statefulSetExists, Instant now) {
        return NotYetAvailableDecider.decide(command, statefulSetExists);
    }

    @Override
    public void apply(Void action, C command, Operation operation) {
        // Nothing is applied until the snapshot methods exist.
    }

    @Singleton
    public static class Take extends BackupCommandKind<TakeBackup> {
        public Take(KubernetesClient client) {
            super(client, TakeBackup.class);
        }
    }

    @Singleton
    public static class Delete extends BackupCommandKind<DeleteBackup> {
        public Delete(KubernetesClient client) {
            super(client, DeleteBackup.class);
        }
    }
}
