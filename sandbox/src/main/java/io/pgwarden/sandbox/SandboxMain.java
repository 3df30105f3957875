package io.pgwarden.sandbox;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a sandbox on its own and prints its URLs. Settings come from system properties or environment variables:
 * sandbox.apiPort / SANDBOX_API_PORT, sandbox.httpPort / SANDBOX_HTTP_PORT, sandbox.dataDir / SANDBOX_DATA_DIR,
 * sandbox.nodes / SANDBOX_NODES (comma-separated), sandbox.demoDbPort / SANDBOX_DEMO_DB_PORT,
 * sandbox.kubeconfig / SANDBOX_KUBECONFIG, sandbox.fast / SANDBOX_FAST (scaled-down timings).
 */
public final class SandboxMain {
    private SandboxMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        SandboxConfig config = Boolean.parseBoolean(setting("sandbox.fast", "SANDBOX_FAST", "false"))
                ? SandboxConfig.fast().withDemoDatabase(true) : SandboxConfig.defaults();
        config = config.withPorts(Integer.parseInt(setting("sandbox.apiPort", "SANDBOX_API_PORT", "0")),
                        Integer.parseInt(setting("sandbox.httpPort", "SANDBOX_HTTP_PORT", "0")),
                        Integer.parseInt(setting("sandbox.demoDbPort", "SANDBOX_DEMO_DB_PORT", "0")))
                .withDataDir(Path.of(setting("sandbox.dataDir", "SANDBOX_DATA_DIR", config.dataDir().toString())));
        String nodes = setting("sandbox.nodes", "SANDBOX_NODES", "");
        if (!nodes.isBlank()) {
            List<String> names = Arrays.stream(nodes.split(",")).map(String::trim).toList();
            config = config.withNodeNames(names);
        }
        Path kubeconfig = Path.of(setting("sandbox.kubeconfig", "SANDBOX_KUBECONFIG", ".pgwarden/kubeconfig"));
        Sandbox sandbox = Sandbox.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close));
        sandbox.writeKubeconfig(kubeconfig);
        System.out.println("KUBERNETES_API_URL=" + sandbox.apiServerUrl());
        System.out.println("SANDBOX_URL=" + sandbox.httpApiUrl());
        System.out.println("KUBECONFIG=" + kubeconfig.toAbsolutePath());
        sandbox.demoDatabaseJdbcUrl().ifPresent(url -> {
            // psql takes the libpq URI as it is; the postgres image's superuser, trusted locally.
            System.out.println("DEMO_DB_URL=" + url.replace("jdbc:postgresql://", "postgresql://postgres@"));
            System.out.println("DEMO_DB_JDBC_URL=" + url);
        });
        new CountDownLatch(1).await();
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null) {
            value = System.getenv(env);
        }
        return value == null ? fallback : value;
    }
}
