package io.pgwarden.operations.engine;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.pgwarden.operations.core.DatabaseLease;
import io.pgwarden.operations.core.DatabaseLocks;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.service.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * {@link DatabaseLocks} as a {@code coordination.k8s.io/v1} Lease {@code pgwarden-op-<statefulset>} in
 * the database's namespace: holderIdentity is the operation id, annotations name its kind and service.
 * Every write carries the resourceVersion it was based on, so the API server refuses (409) the loser of
 * a race, as client-go's leader election relies on.
 */
@ApplicationScoped
public class KubernetesDatabaseLocks implements DatabaseLocks {
    /** The Lease's name is this and the StatefulSet's; failover-service's cluster view reads it too. */
    public static final String PREFIX = "pgwarden-op-";
    public static final String KIND = "pgwarden.io/operation-kind";
    public static final String SERVICE = "pgwarden.io/service";

    private final KubernetesClient client;
    private final ServiceConfig service;
    private final EngineConfig config;
    private final Clock clock;

    public KubernetesDatabaseLocks(KubernetesClient client, ServiceConfig service, EngineConfig config, Clock clock) {
        this.client = client;
        this.service = service;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public Optional<DatabaseLease> read(String namespace, String statefulSet) {
        Lease lease = lease(namespace, statefulSet).get();
        if (lease == null) {
            return Optional.empty();
        }
        Map<String, String> a = lease.getMetadata().getAnnotations() == null ? Map.of()
                : lease.getMetadata().getAnnotations();
        Integer seconds = lease.getSpec().getLeaseDurationSeconds();
        return Optional.of(new DatabaseLease(lease.getSpec().getHolderIdentity(), a.get(KIND), a.get(SERVICE),
                time(lease.getSpec().getAcquireTime()), time(lease.getSpec().getRenewTime()),
                Duration.ofSeconds(seconds == null ? 0 : seconds), lease.getMetadata().getResourceVersion()));
    }

    @Override
    public Take take(String namespace, String statefulSet, Operation operation, Optional<DatabaseLease> seen) {
        ZonedDateTime now = now();
        Lease lease = new LeaseBuilder()
                .withNewMetadata().withName(PREFIX + statefulSet).withNamespace(namespace)
                .withResourceVersion(seen.map(DatabaseLease::version).orElse(null))
                .addToAnnotations(KIND, operation.kind()).addToAnnotations(SERVICE, service.service())
                .endMetadata()
                .withNewSpec().withHolderIdentity(operation.id())
                .withLeaseDurationSeconds((int) config.databaseLeaseDuration().toSeconds())
                .withAcquireTime(now).withRenewTime(now)
                .endSpec().build();
        try {
            if (seen.isEmpty()) {
                leases(namespace).resource(lease).create();
            } else {
                leases(namespace).resource(lease).update();
            }
            return Take.TAKEN;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Take.CHANGED_MEANWHILE;
            }
            if (e.getCode() == 404 && seen.isEmpty()) {
                return Take.NO_SUCH_NAMESPACE;
            }
            throw e;
        }
    }

    @Override
    public boolean renew(String namespace, String statefulSet, Operation operation) {
        Lease lease = lease(namespace, statefulSet).get();
        if (lease == null || !operation.id().equals(lease.getSpec().getHolderIdentity())) {
            return false;
        }
        lease.getSpec().setRenewTime(now());
        try {
            leases(namespace).resource(lease).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void release(String namespace, String statefulSet, String operationId) {
        Lease lease = lease(namespace, statefulSet).get();
        if (lease == null || !operationId.equals(lease.getSpec().getHolderIdentity())) {
            return;
        }
        lease.getSpec().setHolderIdentity(null);
        lease.getSpec().setRenewTime(null);
        leases(namespace).resource(lease).update();
    }

    private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases(String namespace) {
        return client.resources(Lease.class, LeaseList.class).inNamespace(namespace);
    }

    private Resource<Lease> lease(String namespace, String statefulSet) {
        return leases(namespace).withName(PREFIX + statefulSet);
    }

    private ZonedDateTime now() {
        return ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static Instant time(ZonedDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
