package io.pgwarden.backup.rbd;

import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The sandbox cluster (fast timings) with the demo database, as backup-service's Kubernetes. */
public class RbdSandboxResource implements QuarkusTestResourceLifecycleManager {
    private static volatile Sandbox running;
    private static volatile Path dataDir;

    static Sandbox sandbox() {
        return running;
    }

    /** Where the sandbox keeps its state; {@code logs/<node>/<pod>.log} holds each container's output. */
    static Path dataDir() {
        return dataDir;
    }

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("rbd-snapshots-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running = Sandbox.start(SandboxConfig.fast().withDataDir(dataDir).withDemoDatabase(true));
        return Map.of("quarkus.kubernetes-client.api-server-url", running.apiServerUrl(),
                "quarkus.kubernetes-client.namespace", "default");
    }

    @Override
    public void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }
}
