package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresPodsTest {
    private static final Path VOLUME = Path.of("/data/volumes/h");

    private static Pod pod(String image, String pgdata) {
        var builder = new PodBuilder().withNewSpec().addNewContainer().withName("c").withImage(image);
        if (pgdata != null) {
            builder.addNewEnv().withName("PGDATA").withValue(pgdata).endEnv();
        }
        return builder.endContainer().endSpec().build();
    }

    private static List<PostgresPods.Mount> claimAt(String mountPath) {
        return List.of(new PostgresPods.Mount(mountPath, VOLUME));
    }

    @Test
    void postgresImagesAreRecognizedByTheirRepository() {
        assertThat(PostgresPods.isPostgresImage("postgres:17.6")).isTrue();
        assertThat(PostgresPods.isPostgresImage("docker.io/library/postgres:16")).isTrue();
        assertThat(PostgresPods.isPostgresImage("postgres")).isTrue();
        assertThat(PostgresPods.isPostgresImage("postgres@sha256:abc")).isTrue();
        assertThat(PostgresPods.isPostgresImage("rook/ceph:v1.15")).isFalse();
        assertThat(PostgresPods.isPostgresImage("bitnami/postgresql:16")).isFalse();
    }

    private static Optional<Path> dataDirectory(Pod pod, List<PostgresPods.Mount> claims) {
        return PostgresPods.layout(pod, claims).map(l -> l.onMachine(l.pgdata()));
    }

    @Test
    void pgdataIsTakenRelativeToTheClaimsMountPath() {
        assertThat(dataDirectory(pod("postgres:17", "/var/lib/postgresql/data/pgdata"),
                claimAt("/var/lib/postgresql/data"))).contains(VOLUME.resolve("pgdata"));
        assertThat(dataDirectory(pod("postgres:17", null), claimAt("/var/lib/postgresql/data"))).contains(VOLUME);
        assertThat(dataDirectory(pod("postgres:17", "/pg"), claimAt("/pg"))).contains(VOLUME);
    }

    @Test
    void withoutOneClaimHoldingPgdataThereIsNoPostgres() {
        assertThat(dataDirectory(pod("postgres:17", "/elsewhere"), claimAt("/var/lib/postgresql/data"))).isEmpty();
        assertThat(dataDirectory(pod("postgres:17", null), List.of())).isEmpty();
        assertThat(dataDirectory(pod("busybox", null), claimAt("/var/lib/postgresql/data"))).isEmpty();
    }

    @Test
    void theWalDirectoryIsOnTheClaimMountedWhereTheImageIsToldToPutIt() {
        Path wal = Path.of("/data/volumes/w");
        List<PostgresPods.Mount> claims = List.of(new PostgresPods.Mount("/var/lib/postgresql/data", VOLUME),
                new PostgresPods.Mount("/var/lib/postgresql/wal", wal));
        Pod pod = new PodBuilder(pod("postgres:17", "/var/lib/postgresql/data/pgdata")).editSpec().editFirstContainer()
                .addNewEnv().withName("POSTGRES_INITDB_WALDIR").withValue("/var/lib/postgresql/wal/pg_wal").endEnv()
                .endContainer().endSpec().build();
        var layout = PostgresPods.layout(pod, claims).orElseThrow();
        assertThat(layout.onMachine(layout.pgdata())).isEqualTo(VOLUME.resolve("pgdata"));
        assertThat(layout.onMachine(layout.waldir().orElseThrow())).isEqualTo(wal.resolve("pg_wal"));
        assertThat(layout.mountPathOf(layout.pgdata())).contains("/var/lib/postgresql/data");
        // WAL on the container's own disk: not modelled, the pod sleeps
        Pod ephemeralWal = new PodBuilder(pod).editSpec().editFirstContainer().editLastEnv()
                .withValue("/tmp/pg_wal").endEnv().endContainer().endSpec().build();
        assertThat(PostgresPods.layout(ephemeralWal, claims)).isEmpty();
    }

    @Test
    void restartPolicyDecidesWhetherAnEndedContainerRestarts() {
        Pod never = new PodBuilder(pod("x", null)).editSpec().withRestartPolicy("Never").endSpec().build();
        Pod onFailure = new PodBuilder(pod("x", null)).editSpec().withRestartPolicy("OnFailure").endSpec().build();
        assertThat(PodWorker.restarts(pod("x", null), 0)).isTrue();
        assertThat(PodWorker.restarts(never, 1)).isFalse();
        assertThat(PodWorker.restarts(onFailure, 1)).isTrue();
        assertThat(PodWorker.restarts(onFailure, 0)).isFalse();
    }
}
