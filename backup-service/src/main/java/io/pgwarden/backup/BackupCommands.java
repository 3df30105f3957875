package io.pgwarden.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.service.CommandProcessor.Executor;
import io.pgwarden.service.CommandProcessor.Outcome;
import io.pgwarden.service.CommandProcessor.Steps;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Answers backup, restore and backup-deletion commands. This version checks the target cluster and
 * then fails honestly: the snapshot methods are not built yet.
 */
@ApplicationScoped
public class BackupCommands implements Executor {

    @Inject
    KubernetesClient client;

    @Override
    public Outcome execute(Command command, MessageMetadata metadata, Steps steps) {
        String namespace;
        String cluster;
        if (command instanceof TakeBackup b) {
            namespace = b.namespace();
            cluster = b.cluster();
        } else if (command instanceof RestoreBackup r) {
            namespace = r.namespace();
            cluster = r.cluster();
        } else if (command instanceof DeleteBackup d) {
            namespace = d.namespace();
            cluster = d.cluster();
        } else {
            return Outcome.failed("backup-service does not run " + metadata.type());
        }
        steps.running("check-cluster");
        if (client.apps().statefulSets().inNamespace(namespace).withName(cluster).get() == null) {
            return Outcome.failed("cluster " + namespace + "/" + cluster + " does not exist (no StatefulSet "
                    + cluster + " in namespace " + namespace + ")");
        }
        return Outcome.failed(metadata.type() + " is not available in this version of backup-service");
    }
}
