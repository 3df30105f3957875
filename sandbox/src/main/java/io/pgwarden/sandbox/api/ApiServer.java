package io.pgwarden.sandbox.api;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.function.Consumer;

/** The Kubernetes API endpoint: Fabric8's mock server in CRUD mode with the {@link SandboxDispatcher}, over plain HTTP. */
public final class ApiServer implements AutoCloseable {
    /** The mock logs every request at INFO; a cluster serving heartbeats must not. Held so it stays configured. */
    private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver.MockWebServer");

    private final MockWebServer web = new MockWebServer();

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }
    private final KubernetesMockServer server;
    private final SandboxDispatcher dispatcher;

    private ApiServer(Clock clock, long defaultTolerationSeconds, Consumer<String> onChange) {
        dispatcher = new SandboxDispatcher(clock, defaultTolerationSeconds, onChange);
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), web, new HashMap<>(), dispatcher,
                false);
    }

    /** The writes the API server answered, and slow answers on request. */
    public ApiRequests requests() {
        return dispatcher.requests();
    }

    /** Starts the API server; onChange hears the resource (plural) of every stored change. */
    public static ApiServer start(int port, Clock clock, long defaultTolerationSeconds, Consumer<String> onChange) {
        ApiServer api = new ApiServer(clock, defaultTolerationSeconds, onChange);
        api.server.start(InetAddress.getLoopbackAddress(), port);
        return api;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** The mock server records every request for test assertions; a long-running cluster must not. */
    public void forgetRecordedRequests() {
        web.reset();
    }

    public KubernetesClient newClient() {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
                .withRequestTimeout(30_000).withConnectionTimeout(10_000).withHttp2Disable(true).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
