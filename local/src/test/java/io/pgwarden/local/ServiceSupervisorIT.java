package io.pgwarden.local;

import io.pgwarden.local.RestartPolicy.Restart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervisor with real processes: a small HTTP service packaged where the launcher looks for a service's
 * {@code quarkus-run.jar}, killed with SIGKILL or made to fail its liveness, comes back healthy.
 */
class ServiceSupervisorIT {
    private static final String NAME = "fake-service";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Probes every 200 ms, 3 failures in a row; the back-off is the real one (at once, then 10 s, ...). */
    private static final RestartPolicy.Settings FAST = new RestartPolicy.Settings(true, Duration.ofMillis(200), 3,
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(2));

    @TempDir
    Path root;
    private Path down;
    private final List<String> said = new CopyOnWriteArrayList<>();
    private final List<Restart> restarts = new CopyOnWriteArrayList<>();
    private ServiceProcess first;
    private ServiceSupervisor supervisor;

    @BeforeEach
    void startFakeService() throws IOException {
        packageFakeService(root);
        down = root.resolve("down");
        first = ServiceProcess.start(root, NAME, io.pgwarden.embedded.Ports.free(),
                Map.of("FAKE_DOWN_FILE", down.toString()), ServiceProcess.SMALL_AND_QUICK, root.resolve("logs"));
        first.awaitReady(Instant.now().plus(WAIT));
        supervisor = new ServiceSupervisor(first, FAST, Clock.systemDefaultZone(), new ServiceSupervisor.Report() {
            @Override
            public void restarting(String service, Restart restart) {
                restarts.add(restart);
                said.add("restarting " + service + ": " + restart.reason());
                try {
                    Files.deleteIfExists(down); // the next process is healthy
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void restarted(String service, ServiceProcess process, int count) {
                said.add("restarted " + service + " #" + count + " pid " + process.pid());
            }

            @Override
            public void couldNotStart(String service, RuntimeException failure) {
                said.add("could not start " + service + ": " + failure);
            }
        }, () -> { });
        supervisor.start();
    }

    @AfterEach
    void stopEverything() {
        supervisor.stop();
        supervisor.awaitStopped(Duration.ofSeconds(5));
        supervisor.current().close();
        first.close();
    }

    @Test
    void a_service_killed_with_sigkill_is_started_again_at_once_and_answers_live() throws Exception {
        long killed = first.pid();
        kill9(killed);

        await("a new, live process", () -> supervisor.current().pid() != killed && live(supervisor.current()));
        assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(restarts).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("exited with code 137 (signal 9)");
            assertThat(r.delay()).isZero();
            assertThat(r.restarts()).isEqualTo(1);
            assertThat(r.kill()).isFalse();
        });
        assertThat(Files.readString(supervisor.current().log()))
                .contains("---- pgwarden-local: restart 1: exited with code 137 (signal 9) ----");
        assertThat(supervisor.restarts()).isEqualTo(1);
    }

    @Test
    void a_service_whose_liveness_stays_down_is_stopped_and_started_again() throws Exception {
        Files.createFile(down); // /q/health/live answers 503 from now on

        await("a new, live process", () -> supervisor.current().pid() != first.pid() && live(supervisor.current()));
        assertThat(first.awaitExitCode(Duration.ofSeconds(5))).as("the failing process was stopped").isPresent();
        assertThat(restarts).singleElement().satisfies(r -> {
            assertThat(r.reason()).startsWith("liveness failing since ")
                    .endsWith("(3 probes in a row, every 200 ms; last: HTTP 503)");
            assertThat(r.kill()).isTrue();
        });
    }

    @Test
    void stopping_during_a_back_off_ends_at_once_and_starts_nothing() throws Exception {
        kill9(first.pid());
        await("the first restart", () -> supervisor.current().pid() != first.pid() && live(supervisor.current()));
        ServiceProcess second = supervisor.current();
        kill9(second.pid());
        await("the second restart's verdict", () -> restarts.size() == 2);
        assertThat(restarts.get(1).delay()).isEqualTo(Duration.ofSeconds(10));

        long stopping = System.nanoTime();
        supervisor.stop();
        supervisor.awaitStopped(Duration.ofSeconds(5));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);

        assertThat(tookMillis).as("stop during the 10 s back-off").isLessThan(2000);
        assertThat(supervisor.current()).isSameAs(second);
        assertThat(said).filteredOn(s -> s.startsWith("restarted")).hasSize(1);
    }

    private static boolean live(ServiceProcess process) {
        try {
            return process.probeLiveness(Duration.ofSeconds(1)).live();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void kill9(long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-KILL", String.valueOf(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no " + what + " within " + WAIT + "; the supervisor said " + said);
            }
            Thread.sleep(100);
        }
    }

    /** {@code <root>/fake-service/target/quarkus-app/quarkus-run.jar}, running {@link FakeLiveService}. */
    private static void packageFakeService(Path root) throws IOException {
        Path jar = root.resolve(NAME).resolve("target/quarkus-app/quarkus-run.jar");
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeLiveService.class.getName());
        String entry = FakeLiveService.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
             InputStream classFile = FakeLiveService.class.getClassLoader().getResourceAsStream(entry)) {
            jarOut.putNextEntry(new JarEntry(entry));
            classFile.transferTo(jarOut);
            jarOut.closeEntry();
        }
    }
}
