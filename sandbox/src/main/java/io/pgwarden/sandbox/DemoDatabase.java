package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import io.pgwarden.contracts.Names;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The talk's demo database: StatefulSet pg-rook-sf (one replica, its claim on the RBD class), its Service, and the
 * Secret its {@code pgwarden.io/credentials-secret} annotation names for pgwarden's write check.
 */
public final class DemoDatabase {
    public static final String NAMESPACE = "default";
    public static final String NAME = "pg-rook-sf";
    public static final String IMAGE = "postgres:17.6";
    public static final String PGDATA = "/var/lib/postgresql/data/pgdata";
    /** Where {@link #deployWithWalClaim} mounts the WAL claim, and the WAL directory initdb makes on it. */
    public static final String WAL_MOUNT = "/var/lib/postgresql/wal";
    public static final String WALDIR = WAL_MOUNT + "/pg_wal";
    public static final long TERMINATION_GRACE_SECONDS = 30;
    public static final String CREDENTIALS_SECRET = credentialsSecret(NAME);
    /** The sandbox's PostgreSQL trusts local connections, so this password is never checked. */
    static final String PASSWORD = "not-checked-by-the-sandbox";

    private DemoDatabase() {
    }

    public static void deploy(KubernetesClient client) {
        deploy(client, NAMESPACE, NAME);
    }

    /** A managed database like the demo one under another name: its StatefulSet, Service and credentials Secret. */
    public static void deploy(KubernetesClient client, String namespace, String name) {
        Map<String, String> labels = Map.of("app", name, Names.MANAGED_LABEL, "true");
        deploy(client, namespace, name, statefulSet(namespace, name, labels));
    }

    private static void deploy(KubernetesClient client, String namespace, String name, StatefulSet set) {
        Map<String, String> labels = set.getMetadata().getLabels();
        client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(labels).endMetadata().withNewSpec().withSelector(Map.of("app", name))
                .addNewPort().withName("postgres").withPort(5432).withTargetPort(new IntOrString(5432)).endPort()
                .endSpec().build()).create();
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                .withName(credentialsSecret(name)).withNamespace(namespace).withLabels(Map.of("app", name)).endMetadata()
                .withType("Opaque").addToData("username", base64("postgres")).addToData("password", base64(PASSWORD))
                .build()).create();
        client.apps().statefulSets().inNamespace(namespace).resource(set).create();
    }

    /**
     * As {@link #deploy(KubernetesClient, String, String)}, with the WAL on a claim of its own, as the postgres image
     * runs one: {@code POSTGRES_INITDB_WALDIR} on a second claim template {@code wal} mounted at {@value #WAL_MOUNT},
     * so initdb makes {@code pg_wal} a symlink to {@value #WALDIR}.
     */
    public static void deployWithWalClaim(KubernetesClient client, String namespace, String name) {
        Map<String, String> labels = Map.of("app", name, Names.MANAGED_LABEL, "true");
        StatefulSet set = statefulSet(namespace, name, labels);
        var spec = set.getSpec();
        var container = spec.getTemplate().getSpec().getContainers().get(0);
        container.getEnv().add(new EnvVarBuilder().withName("POSTGRES_INITDB_WALDIR").withValue(WALDIR).build());
        container.getVolumeMounts().add(new VolumeMountBuilder().withName("wal").withMountPath(WAL_MOUNT).build());
        var wal = new PersistentVolumeClaimBuilder(spec.getVolumeClaimTemplates().get(0)).editMetadata().withName("wal")
                .endMetadata().build();
        spec.getVolumeClaimTemplates().add(wal);
        deploy(client, namespace, name, set);
    }

    public static String credentialsSecret(String name) {
        return name + "-credentials";
    }

    static StatefulSet statefulSet(String namespace, String name, Map<String, String> labels) {
        return new StatefulSetBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .addToAnnotations(Names.CREDENTIALS_SECRET_ANNOTATION, credentialsSecret(name)).endMetadata()
                .withNewSpec().withReplicas(1).withServiceName(name)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .addNewContainer().withName("postgres").withImage(IMAGE).addNewPort().withContainerPort(5432).endPort()
                // a subdirectory of the mount, as the postgres image's documentation advises for mounted volumes
                .addNewEnv().withName("PGDATA").withValue(PGDATA).endEnv()
                .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                .endContainer().withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS).endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withStorageClassName(StorageNames.STORAGE_CLASS).withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().endVolumeClaimTemplate()
                .endSpec().build();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
