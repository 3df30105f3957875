package io.pgwarden.backup.drill;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.backup.decide.DrillAction;
import io.pgwarden.backup.decide.DrillDecider;
import io.pgwarden.backup.decide.DrillView;
import io.pgwarden.backup.restore.BackupCatalog;
import io.pgwarden.backup.restore.KubernetesWrites;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.VerifyBackup;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * VerifyBackup, the restore drill, as an operation: {@link DrillWorld} observes, {@link DrillDecider} decides, this
 * applies. It takes no database lock: it changes nothing of the database (its StatefulSet, pod, claims and volumes
 * stay as they are), and holding the lease for the drill's minutes would hold off an incident's failover of the live
 * database (docs/failover.md, the per-database lock), the opposite of what a drill is for. Within backup-service
 * operations on one database still run one at a time (the engine's order per subject), so a drill never overlaps a
 * backup, restore or deletion of its database here; retention keeps a backup a drill names.
 */
@Singleton
public class DrillKind implements OperationKind<VerifyBackup, DrillView, DrillAction> {
    private final DrillWorld world;
    private final KubernetesClient client;
    private final KubernetesWrites writes;
    private final BackupCatalog catalog;
    private final DrillMetrics metrics;
    private final Clock clock;
    private final DrillConfig config;

    DrillKind(DrillWorld world, KubernetesClient client, BackupCatalog catalog, DrillMetrics metrics, Clock clock,
              DrillConfig config) {
        this.world = world;
        this.client = client;
        this.writes = new KubernetesWrites(client, clock);
        this.catalog = catalog;
        this.metrics = metrics;
        this.clock = clock;
        this.config = config;
    }

    @Override
    public Class<VerifyBackup> commandClass() {
        return VerifyBackup.class;
    }

    @Override
    public Duration timeout() {
        return config.timeout();
    }

    @Override
    public DrillView observe(VerifyBackup command, Operation op) throws Exception {
        return world.observe(command.namespace(), command.cluster(), command.backupId(), op);
    }

    @Override
    public Decision<DrillAction> decide(Operation op, VerifyBackup command, DrillView view, Instant now) {
        return DrillDecider.decide(op, command, view, now, config.settings());
    }

    @Override
    public void apply(DrillAction action, VerifyBackup command, Operation op) throws Exception {
        if (action instanceof DrillAction.CreateScratchClaim c) {
            writes.createClaimFromSnapshot(c.namespace(), c.claim(), c.snapshot(), c.storageClass(), c.accessModes(),
                    c.size(), Map.of(Names.BACKUP_ID_LABEL, c.backupId(), DrillDecider.DRILL_LABEL, c.drillId()));
        } else if (action instanceof DrillAction.Prepare p) {
            writes.createHelperJob(p.job());
        } else if (action instanceof DrillAction.CreatePod p) {
            createPod(p);
        } else if (action instanceof DrillAction.RecordVerification r) {
            catalog.recordVerification(r.backupId(), r.verified(), r.error(), r.restoreMillis(), r.objectiveMillis(),
                    Instant.now(clock));
            metrics.drilled(r);
        } else if (action instanceof DrillAction.Announce a) {
            writes.announce(a.namespace(), a.statefulSet(), a.reason(), a.message(), a.warning());
        } else if (action instanceof DrillAction.DeletePod p) {
            client.pods().inNamespace(p.namespace()).withName(p.pod()).withGracePeriod(0).delete();
        } else if (action instanceof DrillAction.DeleteJob j) {
            client.batch().v1().jobs().inNamespace(j.namespace()).withName(j.job())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } else if (action instanceof DrillAction.DeleteClaim c) {
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(c.namespace()).withName(c.claim())
                    .get();
            if (claim != null && claim.getMetadata().getLabels() != null
                    && claim.getMetadata().getLabels().containsKey(DrillDecider.DRILL_LABEL)) {
                client.persistentVolumeClaims().inNamespace(c.namespace()).withName(c.claim()).delete();
            }
        }
    }

    /**
     * The StatefulSet's template, first container, as the database runs: image, command, env, ports, probes, its
     * mounts; each claim template's mount on the drill's scratch claim for that claim, the template's other volumes
     * (config maps, secrets, emptyDirs) as they are. Labelled with the backup and the drill only, so no Service
     * selects it; no node selector or affinity, so it runs on any node; restartPolicy Never: a PostgreSQL that exits
     * on the restored data is the drill's answer, not something to retry.
     */
    private void createPod(DrillAction.CreatePod p) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(p.namespace()).withName(p.statefulSet()).get();
        if (sts == null) {
            return;
        }
        PodSpec template = sts.getSpec().getTemplate().getSpec();
        Container database = template.getContainers().get(0);
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        for (VolumeMount m : database.getVolumeMounts() == null ? List.<VolumeMount>of() : database.getVolumeMounts()) {
            String claim = m.getName() + "-" + p.statefulSet() + "-0";
            Volume own = template.getVolumes() == null ? null : template.getVolumes().stream()
                    .filter(v -> v.getName().equals(m.getName())).findFirst().orElse(null);
            if (p.scratchFor().containsKey(claim)) {
                volumes.add(new VolumeBuilder().withName(m.getName()).withNewPersistentVolumeClaim()
                        .withClaimName(p.scratchFor().get(claim)).endPersistentVolumeClaim().build());
                mounts.add(m);
            } else if (own != null && own.getPersistentVolumeClaim() == null) {
                volumes.add(own);
                mounts.add(m);
            }
        }
        Container container = new ContainerBuilder(database).withVolumeMounts(mounts).build();
        writes.createIfAbsent(p.namespace(), new PodBuilder().withNewMetadata().withName(p.pod())
                .withNamespace(p.namespace()).addToLabels(Names.BACKUP_ID_LABEL, p.backupId())
                .addToLabels(DrillDecider.DRILL_LABEL, p.drillId()).endMetadata().withNewSpec()
                .withRestartPolicy("Never").withContainers(container).withVolumes(volumes)
                .withSecurityContext(template.getSecurityContext())
                .withTerminationGracePeriodSeconds(template.getTerminationGracePeriodSeconds()).endSpec().build());
    }
}
