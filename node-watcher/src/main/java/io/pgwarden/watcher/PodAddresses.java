package io.pgwarden.watcher;

import io.pgwarden.watcher.health.ManagedPod;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where node-watcher reaches a managed pod's database port: its pod IP in a cluster ({@link PodIpAddresses}), or the
 * local port the sandbox publishes for it ({@link SandboxPodAddresses}), chosen by
 * {@code pgwarden.watcher.database-address}, as failover-service reaches a database's Service
 * ({@code database-access/.../ServiceAddresses}).
 */
public interface PodAddresses {

    enum Kind {
        /** {@code status.podIP} and the container port: in a cluster, node-watcher running in a pod. */
        POD_IP,
        /** Where the sandbox says a pod's IP answers locally: the local run and the tests. */
        SANDBOX
    }

    /**
     * Completes with where a connection to the pod's database port goes; empty when packets to the pod are lost (the
     * sandbox says so of a pod on a powered-off or partitioned node), so a connect would time out. Fails when the
     * address cannot be known.
     */
    CompletionStage<Optional<InetSocketAddress>> of(ManagedPod pod);
}
