package io.pgwarden.backup.take;

import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.Timings;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The sandbox cluster (fast timings) as backup-service's Kubernetes, the databases reached as the local run reaches them. */
public class BackupSandboxResource implements QuarkusTestResourceLifecycleManager {
    private static volatile Sandbox running;
    private static volatile Path dataDir;

    public static Sandbox sandbox() {
        return running;
    }

    /** Where the sandbox keeps its state; {@code logs/<node>/<pod>.log} holds each container's output. */
    public static Path dataDir() {
        return dataDir;
    }

    @Override
    public Map<String, String> start() {
        try {
            // Snapshots take 4 s to be cut (100 s real, scaled), so a test can end the backup session meanwhile.
            Timings real = Timings.real();
            Timings slowSnapshots = new Timings(real.heartbeatInterval(), real.nodeMonitorGracePeriod(),
                    real.nodeMonitorPeriod(), real.podEvictionToleration(), real.forceDetachTimeout(),
                    Duration.ofSeconds(100), real.jobPodFailureBackOff(), real.maxJobPodFailureBackOff(),
                    real.attachTime(), real.mountTime(), real.imagePullTime(), real.bmcPowerChangeTime(),
                    real.bootTime(), real.nodeEvictionInterval(), real.secondaryNodeEvictionInterval(),
                    real.podGcCheckPeriod(), real.podGcQuarantine(), real.networkFenceLatency(),
                    real.pdbDeletionTimeout());
            running = Sandbox.start(SandboxConfig.fast().withTimings(slowSnapshots)
                    .withDataDir(dataDir = Files.createTempDirectory("take-backup-it")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kubernetes-client.api-server-url", running.apiServerUrl());
        config.put("quarkus.kubernetes-client.namespace", "default");
        config.put("pgwarden.backup.database-address", "sandbox");
        config.put("pgwarden.backup.sandbox-url", running.httpApiUrl());
        config.put("pgwarden.backup.cut-timeout", "60s");
        config.put("pgwarden.backup.ready-timeout", "60s");
        config.put("pgwarden.backup.scale-down-timeout", "60s");
        config.put("pgwarden.backup.scale-up-timeout", "90s");
        config.put("pgwarden.backup.cleanup-timeout", "30s");
        config.put("pgwarden.backup.poll", "200ms");
        return config;
    }

    @Override
    public void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }
}
