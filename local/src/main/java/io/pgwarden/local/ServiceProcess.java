package io.pgwarden.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One packaged Quarkus service run as its own process, its output in a log file. */
public final class ServiceProcess implements AutoCloseable {
    /** Small heaps and the quick JIT tier: four services and a broker share two cores, and they start sooner. */
    public static final List<String> SMALL_AND_QUICK =
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    /**
     * Every JIT tier, as a service runs in its container: C1 alone lacks C2's intrinsics, such as the BigInteger
     * multiplications that check a token's RSA signature, so throughput is measured with this.
     */
    public static final List<String> SMALL_AND_FULLY_COMPILED = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xshare:auto");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path root;
    private final String name;
    private final int port;
    private final Map<String, String> env;
    private final List<String> jvmOptions;
    private final Path log;
    private final Process process;

    private ServiceProcess(Path root, String name, int port, Map<String, String> env, List<String> jvmOptions,
                           Path log, Process process) {
        this.root = root;
        this.name = name;
        this.port = port;
        this.env = env;
        this.jvmOptions = jvmOptions;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code <root>/<name>/target/quarkus-app/quarkus-run.jar} with the given environment. */
    public static ServiceProcess start(Path root, String name, int port, Map<String, String> env,
                                       List<String> jvmOptions, Path logDir) {
        return launch(root, name, port, Map.copyOf(env), List.copyOf(jvmOptions), logDir.resolve(name + ".log"), null);
    }

    /** Starts another replica of the service, logging to its own file in logDir. */
    public static ServiceProcess startReplica(Path root, String name, int replica, int port, Map<String, String> env,
                                              List<String> jvmOptions, Path logDir) {
        return launch(root, name, port, Map.copyOf(env), List.copyOf(jvmOptions),
                logDir.resolve(name + "-" + replica + ".log"), null);
    }

    /**
     * Starts the same service again, on the same port with the same environment; its log goes on after the
     * previous process's lines and a line with {@code note}, so the lines before a crash stay readable.
     */
    public ServiceProcess startAgain(String note) {
        return launch(root, name, port, env, jvmOptions, log, note);
    }

    private static ServiceProcess launch(Path root, String name, int port, Map<String, String> env,
                                         List<String> jvmOptions, Path log, String restartNote) {
        Path jar = root.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the services first (./mvnw -DskipTests package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(restartNote == null ? ProcessBuilder.Redirect.to(log.toFile())
                        : ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // Quarkus listens on every interface by default; the local run's services are for this machine only.
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        try {
            Files.createDirectories(log.getParent());
            if (restartNote != null) {
                Files.writeString(log, System.lineSeparator() + "---- pgwarden-local: " + restartNote + " ----"
                        + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            return new ServiceProcess(root, name, port, env, jvmOptions, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Waits until {@code /q/health/ready} answers 200; fails early, with the log's tail, if the process dies. */
    public void awaitReady(Instant deadline) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; last lines of "
                        + log + ":\n" + tail());
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(name + " was not ready in time; last lines of " + log + ":\n" + tail());
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    /** The exit code if the process exits within {@code timeout}; empty while it runs. */
    public Optional<Integer> awaitExitCode(Duration timeout) throws InterruptedException {
        return process.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS)
                ? Optional.of(process.exitValue()) : Optional.empty();
    }

    /** A liveness probe's answer: live, and what was seen. */
    public record Liveness(boolean live, String detail) {
    }

    /**
     * {@code GET /q/health/live}, as a kubelet's httpGet probe: live on a status from 200 to 399, not live on any
     * other status, on no answer within {@code timeout}, or on no connection.
     */
    public Liveness probeLiveness(Duration timeout) throws InterruptedException {
        HttpRequest live = HttpRequest.newBuilder(URI.create(url() + "/q/health/live")).timeout(timeout).build();
        try {
            int status = HTTP.send(live, HttpResponse.BodyHandlers.discarding()).statusCode();
            return new Liveness(status >= 200 && status < 400, "HTTP " + status);
        } catch (HttpTimeoutException e) {
            return new Liveness(false, "no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new Liveness(false, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** Asks the service to stop (SIGTERM); {@link #awaitExit} then makes sure it did. */
    public void requestStop() {
        process.destroy();
    }

    public void awaitExit(Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        requestStop();
        awaitExit(Duration.ofSeconds(10));
    }
}
