package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.control.Storage;
import io.pgwarden.sandbox.record.InvariantRecorder;
import io.pgwarden.sandbox.record.Timeline;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * What every simulated node shares with the others: the API server, the machine's clock and disks, the records.
 * {@code syncLoop} is the one thread every control-loop pass runs on: a kubelet syncs a pod there between passes too,
 * so its status writes never race the pass's.
 */
public record NodeServices(KubernetesClient client, Clock clock, SandboxConfig config, Storage storage,
                           Path postgresBin, PodNetwork network, ProcessRegistry processes, InvariantRecorder recorder,
                           Timeline timeline, ExecutorService workers, Executor syncLoop) {
}
