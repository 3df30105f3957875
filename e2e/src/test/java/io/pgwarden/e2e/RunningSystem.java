package io.pgwarden.e2e;

import io.pgwarden.local.LocalLogging;
import io.pgwarden.local.LocalStack;
import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The whole packaged system, started once for all scenarios of a test run (the same launcher as the
 * local run, on free ports and the sandbox's fast timings), and stopped when the run ends.
 */
public final class RunningSystem implements AutoCloseable {
    private static RunningSystem instance;

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    private RunningSystem(LocalStack stack) {
        this.stack = stack;
    }

    public static synchronized RunningSystem get(ExtensionContext context) {
        if (instance == null) {
            LocalLogging.configure();
            Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
            Path state;
            try {
                state = Files.createTempDirectory("pgwarden-e2e");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LocalStack stack = new LocalStack(new LocalStack.Settings(root, state, LocalStack.Ports.anyFree(),
                    SandboxConfig.fast(), Duration.ofSeconds(180))).start();
            instance = new RunningSystem(stack);
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(RunningSystem.class, instance);
        }
        return instance;
    }

    public LocalStack stack() {
        return stack;
    }

    public HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stack.close();
    }
}
