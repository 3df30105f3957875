package io.pgwarden.watcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redfish adapter against a small HTTP BMC: PowerState read with basic auth; anything else is unknown. */
class RedfishPowerIT {
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            "admin:secret".getBytes(StandardCharsets.UTF_8));
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer bmc;

    @BeforeEach
    void start() throws IOException {
        bmc = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        bmc.createContext("/redfish/v1/Systems/1", exchange -> {
            if (!AUTH.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 401, "{\"error\":{\"code\":\"Base.1.0.NoValidSession\"}}");
            } else {
                answer(exchange, 200, "{\"Id\":\"1\",\"PowerState\":\"Off\"}");
            }
        });
        bmc.createContext("/redfish/v1/Systems/silent", exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200, "{\"PowerState\":\"Off\"}");
        });
        bmc.createContext("/redfish/v1/Systems/odd", exchange -> answer(exchange, 200, "{\"Id\":\"odd\"}"));
        bmc.setExecutor(Executors.newCachedThreadPool());
        bmc.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        bmc.stop(0);
    }

    @Test
    void the_power_state_is_read_with_the_credentials() {
        assertThat(read(new RedfishPower(Duration.ofSeconds(2), () -> Optional.of(AUTH)), "/redfish/v1/Systems/1"))
                .contains("Off");
    }

    @Test
    void a_refusal_a_silence_an_odd_answer_or_no_bmc_at_all_is_unknown_never_off() throws IOException {
        RedfishPower anonymous = new RedfishPower(Duration.ofMillis(300), Optional::empty);
        assertThat(read(anonymous, "/redfish/v1/Systems/1")).as("401").isEmpty();
        assertThat(read(anonymous, "/redfish/v1/Systems/silent")).as("no answer within the timeout").isEmpty();
        assertThat(read(anonymous, "/redfish/v1/Systems/odd")).as("no PowerState").isEmpty();
        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        assertThat(anonymous.powerState("http://127.0.0.1:" + closed + "/redfish/v1/Systems/1").toCompletableFuture()
                .join()).as("connection refused").isEmpty();
        assertThat(anonymous.powerState("not a url at all").toCompletableFuture().join()).isEmpty();
    }

    private Optional<String> read(RedfishPower power, String path) {
        return power.powerState("http://127.0.0.1:" + bmc.getAddress().getPort() + path).toCompletableFuture().join();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
