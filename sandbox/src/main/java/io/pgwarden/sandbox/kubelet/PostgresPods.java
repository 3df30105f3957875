package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which pods run PostgreSQL, and on which directory: a pod whose (first) container has a PostgreSQL image (the
 * image's repository is {@code postgres}: {@code postgres:17.6}, {@code docker.io/library/postgres:16}, ...) and
 * exactly one claim mounted runs the sandbox's PostgreSQL on that claim. Its data directory is PGDATA (the image's
 * default {@code /var/lib/postgresql/data}) taken relative to the claim's mountPath, as the image's entrypoint uses
 * it: {@code PGDATA=/var/lib/postgresql/data/pgdata} on a claim mounted at {@code /var/lib/postgresql/data} is the
 * volume's {@code pgdata} directory. PGDATA outside the claim's mountPath would be the container's ephemeral disk,
 * which the sandbox does not model: such a pod, like any other, is a sleeping container.
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

    /** The data directory PostgreSQL uses in this pod, or empty when the pod does not run PostgreSQL. */
    static Optional<Path> dataDirectory(Pod pod, List<Mount> claims) {
        Container container = pod.getSpec().getContainers().get(0);
        if (!isPostgresImage(container.getImage()) || claims.size() != 1) {
            return Optional.empty();
        }
        String pgdata = container.getEnv() == null ? DEFAULT_PGDATA : container.getEnv().stream()
                .filter(e -> "PGDATA".equals(e.getName()) && e.getValue() != null).map(e -> e.getValue())
                .findFirst().orElse(DEFAULT_PGDATA);
        Mount claim = claims.get(0);
        Path inContainer = Path.of(pgdata).normalize();
        Path mountPath = Path.of(claim.mountPath()).normalize();
        if (!inContainer.startsWith(mountPath)) {
            return Optional.empty();
        }
        return Optional.of(claim.directory().resolve(mountPath.relativize(inContainer).toString()));
    }
}
