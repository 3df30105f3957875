package io.pgwarden.backup.restore;

import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The sandbox cluster (fast timings) as the service's Kubernetes, databases reached at its Service ports. */
public class RestoreSandboxResource implements QuarkusTestResourceLifecycleManager {
    private static volatile Sandbox running;
    private static volatile Path dataDir;

    public static Sandbox sandbox() {
        return running;
    }

    /** Where the sandbox keeps volumes, snapshots and container logs ({@code logs/<node>/<pod>.log}). */
    public static Path dataDir() {
        return dataDir;
    }

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("restore-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running = Sandbox.start(SandboxConfig.fast().withDataDir(dataDir));
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kubernetes-client.api-server-url", running.apiServerUrl());
        config.put("quarkus.kubernetes-client.namespace", "default");
        config.put("pgwarden.backup.database-address", "sandbox");
        config.put("pgwarden.backup.sandbox-url", running.httpApiUrl());
        config.put("pgwarden.backup.restore.stop-timeout", "30s");
        config.put("pgwarden.backup.restore.claim-timeout", "30s");
        config.put("pgwarden.backup.restore.job-timeout", "30s");
        config.put("pgwarden.backup.restore.ready-timeout", "30s");
        config.put("pgwarden.backup.restore.write-timeout", "30s");
        config.put("pgwarden.backup.restore.poll", "200ms");
        config.put("pgwarden.backup.drill.claim-timeout", "30s");
        config.put("pgwarden.backup.drill.job-timeout", "30s");
        config.put("pgwarden.backup.drill.ready-timeout", "20s");
        config.put("pgwarden.backup.drill.query-timeout", "30s");
        config.put("pgwarden.backup.drill.cleanup-timeout", "30s");
        config.put("pgwarden.backup.drill.poll", "200ms");
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
