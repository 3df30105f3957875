package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.sandbox.postgres.PostgresLayout;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which pods run PostgreSQL, and on which directories: a pod whose (first) container has a PostgreSQL image (the
 * image's repository is {@code postgres}: {@code postgres:17.6}, {@code docker.io/library/postgres:16}, ...) and
 * claims mounted runs the sandbox's PostgreSQL on them. Its data directory is PGDATA (the image's default
 * {@code /var/lib/postgresql/data}), on the claim whose mountPath holds it: {@code PGDATA=/var/lib/postgresql/data/pgdata}
 * on a claim mounted at {@code /var/lib/postgresql/data} is the volume's {@code pgdata} directory. A separate WAL
 * directory ({@code POSTGRES_INITDB_WALDIR}) lies on another claim, or the same. PGDATA or the WAL directory outside
 * every claim would be the container's ephemeral disk, which the sandbox does not model: such a pod, like any
 * other, is a sleeping container.
 */
final class PostgresPods {
    static final String DEFAULT_PGDATA = "/var/lib/postgresql/data";

    private PostgresPods() {
    }

    /** A mounted claim: its mountPath in the container and the image's directory. */
    record Mount(String mountPath, Path directory) {
    }

    static boolean isPostgresImage(String image) {
        String withoutDigest = image.split("@")[0];
        String lastSegment = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1);
        return lastSegment.split(":")[0].equals("postgres");
    }

    /** Where PostgreSQL keeps its files in this pod, or empty when the pod does not run PostgreSQL. */
    static Optional<PostgresLayout> layout(Pod pod, List<Mount> claims) {
        Container container = pod.getSpec().getContainers().get(0);
        if (!isPostgresImage(container.getImage()) || claims.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Path> mounts = new LinkedHashMap<>();
        claims.forEach(c -> mounts.put(c.mountPath(), c.directory()));
        PostgresLayout layout = new PostgresLayout(env(container, "PGDATA").orElse(DEFAULT_PGDATA),
                env(container, "POSTGRES_INITDB_WALDIR"), mounts);
        boolean onClaims = layout.mountPathOf(layout.pgdata()).isPresent()
                && layout.waldir().map(w -> layout.mountPathOf(w).isPresent()).orElse(true);
        return onClaims ? Optional.of(layout) : Optional.empty();
    }

    private static Optional<String> env(Container container, String name) {
        return container.getEnv() == null ? Optional.empty() : container.getEnv().stream()
                .filter(e -> name.equals(e.getName()) && e.getValue() != null && !e.getValue().isEmpty())
                .map(e -> e.getValue()).findFirst();
    }
}
