package io.pgwarden.sandbox.postgres;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Where a pod's PostgreSQL keeps its files as its container sees them, and the volumes mounted there: PGDATA, the
 * WAL directory the postgres image hands initdb ({@code POSTGRES_INITDB_WALDIR}, docker-library/postgres
 * {@code 17/bookworm/docker-entrypoint.sh} docker_init_database_dir: {@code initdb --waldir}), and each claim's
 * mountPath with its volume's directory on the machine.
 */
public record PostgresLayout(String pgdata, Optional<String> waldir, Map<String, Path> mounts) {
    public PostgresLayout {
        mounts = Map.copyOf(mounts);
    }

    /** The claim's mountPath that holds a path of the container (the longest, as nested mounts hide the outer). */
    public Optional<String> mountPathOf(String inContainer) {
        Path path = Path.of(inContainer).normalize();
        return mounts.keySet().stream().filter(m -> path.startsWith(Path.of(m).normalize()))
                .max(Comparator.comparingInt(m -> Path.of(m).normalize().getNameCount()));
    }

    /** A path of the container on the machine: in the volume mounted there. */
    public Path onMachine(String inContainer) {
        String mountPath = mountPathOf(inContainer).orElseThrow(
                () -> new IllegalArgumentException(inContainer + " is on no claim of the pod"));
        Path relative = Path.of(mountPath).normalize().relativize(Path.of(inContainer).normalize());
        return mounts.get(mountPath).resolve(relative.toString());
    }
}
