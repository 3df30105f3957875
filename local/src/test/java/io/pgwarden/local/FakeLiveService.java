package io.pgwarden.local;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a packaged service, run as its own process by {@link ServiceSupervisorIT}: serves
 * {@code /q/health/live} (200, or 503 while the file named by {@code FAKE_DOWN_FILE} exists) and
 * {@code /q/health/ready} on {@code QUARKUS_HTTP_PORT}, like a Quarkus service.
 */
public final class FakeLiveService {
    private FakeLiveService() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv("QUARKUS_HTTP_PORT"));
        Path down = Path.of(System.getenv("FAKE_DOWN_FILE"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/q/health/live", exchange -> {
            exchange.sendResponseHeaders(Files.exists(down) ? 503 : 200, -1);
            exchange.close();
        });
        server.createContext("/q/health/ready", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        System.out.println("fake service listening on " + port);
    }
}
