package io.pgwarden.backup.schedule;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.backup.schedule.ScheduleDecider.Remove;
import io.pgwarden.backup.schedule.ScheduleDecider.ScheduleAction;
import io.pgwarden.backup.schedule.ScheduleDecider.Store;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.ClusterCommand;
import io.pgwarden.contracts.command.DeleteBackupSchedule;
import io.pgwarden.contracts.command.SetBackupSchedule;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Setting and deleting a backup schedule, as operations. They change the catalog only, so they take no database
 * lock: a schedule may be changed while a backup or a restore runs.
 */
public abstract class ScheduleKind<C extends ClusterCommand> implements OperationKind<C, ScheduleKind.Seen, ScheduleAction> {
    final Schedules schedules;
    private final KubernetesClient client;
    private final Class<C> commandClass;

    /** Why the database cannot have a schedule (empty when it can), and its stored schedule. */
    public record Seen(Optional<String> unmanaged, Optional<BackupSchedule> current) {
    }

    ScheduleKind(Schedules schedules, KubernetesClient client, Class<C> commandClass) {
        this.schedules = schedules;
        this.client = client;
        this.commandClass = commandClass;
    }

    @Override
    public Class<C> commandClass() {
        return commandClass;
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(2);
    }

    @Override
    public Seen observe(C command, Operation operation) throws Exception {
        StatefulSet set = client.apps().statefulSets().inNamespace(command.namespace()).withName(command.cluster())
                .get();
        Optional<String> unmanaged;
        if (set == null) {
            unmanaged = Optional.of("database " + command.subject() + " does not exist (no StatefulSet "
                    + command.cluster() + " in namespace " + command.namespace() + ")");
        } else if (set.getMetadata().getLabels() == null
                || !"true".equals(set.getMetadata().getLabels().get(Names.MANAGED_LABEL))) {
            unmanaged = Optional.of("StatefulSet " + command.subject() + " is not managed by pgwarden: label it "
                    + Names.MANAGED_LABEL + "=true");
        } else {
            unmanaged = Optional.empty();
        }
        return new Seen(unmanaged, schedules.find(command.namespace(), command.cluster()));
    }

    @Override
    public void apply(ScheduleAction action, C command, Operation operation) throws Exception {
        if (action instanceof Store store) {
            schedules.store(store.schedule());
        } else if (action instanceof Remove remove) {
            schedules.remove(remove.namespace(), remove.cluster());
        }
    }

    @Singleton
    public static class Set extends ScheduleKind<SetBackupSchedule> {
        public Set(Schedules schedules, KubernetesClient client) {
            super(schedules, client, SetBackupSchedule.class);
        }

        @Override
        public Decision<ScheduleAction> decide(Operation operation, SetBackupSchedule command, Seen seen, Instant now) {
            return ScheduleDecider.set(operation, command, seen.unmanaged(), seen.current(), now);
        }
    }

    @Singleton
    public static class Delete extends ScheduleKind<DeleteBackupSchedule> {
        public Delete(Schedules schedules, KubernetesClient client) {
            super(schedules, client, DeleteBackupSchedule.class);
        }

        @Override
        public Decision<ScheduleAction> decide(Operation operation, DeleteBackupSchedule command, Seen seen,
                                               Instant now) {
            return ScheduleDecider.delete(operation, command, seen.current());
        }
    }
}
