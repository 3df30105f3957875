package io.pgwarden.backup.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.backup.decide.RestoreAction;
import io.pgwarden.backup.decide.RestoreDecider;
import io.pgwarden.backup.decide.RestoreView;
import io.pgwarden.backup.rbd.RbdSnapshots;
import io.pgwarden.contracts.command.ClusterCommand;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.UndoRestore;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * RestoreBackup and UndoRestore as operations holding the database's lock: {@link RestoreWorld} observes,
 * {@link RestoreDecider} decides, and this applies its actions to Kubernetes, the catalog and the database.
 */
public abstract class RestoreKind<C extends ClusterCommand> implements OperationKind<C, RestoreView, RestoreAction> {
    private static final Logger LOG = Logger.getLogger(RestoreKind.class);
    /** Keeps nulls, which a merge patch needs to remove a field. */
    private static final ObjectMapper PATCH = new ObjectMapper();

    private final Class<C> commandClass;
    final RestoreWorld world;
    private final KubernetesClient client;
    private final RestoreRecords records;
    private final RestoredDatabase database;
    private final MeterRegistry metrics;
    private final KubernetesWrites writes;
    final RestoreConfig config;
    private final RbdSnapshots rbd;

    RestoreKind(Class<C> commandClass, RestoreWorld world, KubernetesClient client, RestoreRecords records,
                RestoredDatabase database, MeterRegistry metrics, Clock clock, RestoreConfig config,
                RbdSnapshots rbd) {
        this.rbd = rbd;
        this.commandClass = commandClass;
        this.world = world;
        this.client = client;
        this.records = records;
        this.database = database;
        this.metrics = metrics;
        this.writes = new KubernetesWrites(client, clock);
        this.config = config;
    }

    @Override
    public Class<C> commandClass() {
        return commandClass;
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
    public void apply(RestoreAction action, C command, Operation op) throws Exception {
        if (action instanceof RestoreAction.RecordStart r) {
            records.started(r.restoreId(), r.backupId(), r.namespace(), r.cluster());
        } else if (action instanceof RestoreAction.RecordRetained r) {
            records.retained(r.restoreId(), r.retained(), r.policies());
        } else if (action instanceof RestoreAction.RecordEnd r) {
            records.ended(r.restoreId(), r.failed(), r.error());
            metrics.timer("pgwarden.restore.duration", "outcome", r.failed() ? "failed" : "completed")
                    .record(Duration.ofMillis(r.millis()));
            if (r.failed()) {
                metrics.counter("pgwarden.restore.failures").increment();
            }
        } else if (action instanceof RestoreAction.RecordUndone r) {
            records.undone(r.restoreId());
        } else if (action instanceof RestoreAction.Scale s) {
            client.apps().statefulSets().inNamespace(s.namespace()).withName(s.statefulSet()).scale(s.replicas());
        } else if (action instanceof RestoreAction.Annotate a) {
            client.apps().statefulSets().inNamespace(a.namespace()).withName(a.statefulSet()).patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    PATCH.writeValueAsString(Map.of("metadata", Map.of("annotations", a.annotations()))));
        } else if (action instanceof RestoreAction.Announce a) {
            writes.announce(a.namespace(), a.statefulSet(), a.reason(), a.message(), a.warning());
        } else if (action instanceof RestoreAction.SetReclaimPolicy p) {
            client.persistentVolumes().withName(p.volume()).patch(PatchContext.of(PatchType.JSON_MERGE),
                    PATCH.writeValueAsString(Map.of("spec", Map.of("persistentVolumeReclaimPolicy", p.policy()))));
        } else if (action instanceof RestoreAction.DeleteClaim d) {
            deleteClaim(d);
        } else if (action instanceof RestoreAction.CreateClaimFromSnapshot c) {
            writes.createClaimFromSnapshot(c.namespace(), c.claim(), c.snapshot(), c.storageClass(), c.accessModes(),
                    c.size(), Map.of(RestoreDecider.RESTORE_LABEL, c.restoreId()));
        } else if (action instanceof RestoreAction.BindClaimToVolume b) {
            bind(b);
        } else if (action instanceof RestoreAction.CreateHelperJob j) {
            writes.createHelperJob(j);
        } else if (action instanceof RestoreAction.DeleteJob j) {
            client.batch().v1().jobs().inNamespace(j.namespace()).withName(j.job())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } else if (action instanceof RestoreAction.StartRbdStep r) {
            rbd.start(r.step());
        } else if (action instanceof RestoreAction.ResetRecoverySettings r) {
            database.resetRecoverySettings(r.namespace(), r.statefulSet());
        }
    }

    private void deleteClaim(RestoreAction.DeleteClaim d) {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(d.namespace()).withName(d.claim()).get();
        if (claim == null || (d.volume() != null && !d.volume().equals(claim.getSpec().getVolumeName()))) {
            LOG.infof("claim %s/%s is gone or no longer on volume %s: not deleted", d.namespace(), d.claim(), d.volume());
            return;
        }
        client.persistentVolumeClaims().inNamespace(d.namespace()).withName(d.claim()).delete();
    }

    /**
     * A volume reserved for a claim by a claimRef without uid, then the claim naming it: kubernetes binds exactly that
     * pair (pkg/controller/volume/persistentvolume/pv_controller.go, syncUnboundClaim with spec.volumeName), and no
     * other claim of the class can take the volume in between, as one could if the claimRef were only cleared.
     */
    private void bind(RestoreAction.BindClaimToVolume b) throws Exception {
        Map<String, Object> claimRef = new LinkedHashMap<>();
        claimRef.put("kind", "PersistentVolumeClaim");
        claimRef.put("apiVersion", "v1");
        claimRef.put("namespace", b.namespace());
        claimRef.put("name", b.claim());
        claimRef.put("uid", null);
        claimRef.put("resourceVersion", null);
        client.persistentVolumes().withName(b.volume()).patch(PatchContext.of(PatchType.JSON_MERGE),
                PATCH.writeValueAsString(Map.of("spec", Map.of("claimRef", claimRef))));
        writes.createIfAbsent(b.namespace(), KubernetesWrites.claim(b.namespace(), b.claim(), b.storageClass(),
                b.accessModes(), b.size()).editSpec().withVolumeName(b.volume()).endSpec().build());
    }

    @Singleton
    public static class Restore extends RestoreKind<RestoreBackup> {
        Restore(RestoreWorld world, KubernetesClient client, RestoreRecords records, RestoredDatabase database,
                MeterRegistry metrics, Clock clock, RestoreConfig config, RbdSnapshots rbd) {
            super(RestoreBackup.class, world, client, records, database, metrics, clock, config, rbd);
        }

        @Override
        public RestoreView observe(RestoreBackup command, Operation op) throws Exception {
            return world.observe(command.namespace(), command.cluster(), command.backupId(), op.id(), op);
        }

        @Override
        public Decision<RestoreAction> decide(Operation op, RestoreBackup command, RestoreView view, Instant now) {
            return RestoreDecider.restore(op, command, view, now, config.settings());
        }
    }

    @Singleton
    public static class Undo extends RestoreKind<UndoRestore> {
        Undo(RestoreWorld world, KubernetesClient client, RestoreRecords records, RestoredDatabase database,
             MeterRegistry metrics, Clock clock, RestoreConfig config, RbdSnapshots rbd) {
            super(UndoRestore.class, world, client, records, database, metrics, clock, config, rbd);
        }

        @Override
        public RestoreView observe(UndoRestore command, Operation op) throws Exception {
            return world.observe(command.namespace(), command.cluster(), null, command.restoreId(), op);
        }

        @Override
        public Decision<RestoreAction> decide(Operation op, UndoRestore command, RestoreView view, Instant now) {
            return RestoreDecider.undo(op, command, view, now, config.settings());
        }
    }
}
