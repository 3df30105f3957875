package io.pgwarden.sandbox.api;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;

import io.vertx.core.http.HttpConnection;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Kubernetes API endpoint over plain HTTP: a Vert.x server (as Fabric8's MockWebServer is) whose requests go
 * to the {@link SandboxDispatcher} through the mock's own request handler, except watches, which are streamed
 * here: as a chunked HTTP response of newline-delimited JSON events (client-go, kubectl) or as WebSocket text
 * messages (the Fabric8 client), from the dispatcher's watch cache.
 */
public final class ApiServer implements AutoCloseable {
    private static final List<String> WEBSOCKET_SUB_PROTOCOLS =
            List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");
    /** kube-apiserver's --min-request-timeout default: a watch without timeoutSeconds ends after 1 to 2 times it. */
    private static final long MIN_REQUEST_TIMEOUT_SECONDS = 1800;
    /** cacher.go defaultBookmarkFrequency. */
    private static final long BOOKMARK_FREQUENCY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Vertx vertx = Vertx.vertx();
    private final SandboxDispatcher dispatcher;
    private final HttpServerRequestHandler mock;
    private final Set<OpenWatch> openWatches = ConcurrentHashMap.newKeySet();
    private volatile Cut cut;
    private HttpServer server;

    /** An outage under way: until when (System.nanoTime) and whether the control plane is cut off too. */
    private record Cut(long untilNanos, boolean everyone) {
    }

    /** An API outage as the fault API reports it. */
    public record Outage(Duration remaining, boolean everyone) {
    }

    private ApiServer(Clock clock, long defaultTolerationSeconds, Consumer<String> onChange,
                      java.util.function.LongSupplier nanoTime) {
        dispatcher = new SandboxDispatcher(clock, defaultTolerationSeconds, onChange, nanoTime);
        mock = new HttpServerRequestHandler(vertx) {
            @Override
            protected MockResponse onHttpRequest(RecordedRequest request) {
                return dispatcher.dispatch(request);
            }
        };
    }

    /** The writes the API server answered, and slow answers on request. */
    public ApiRequests requests() {
        return dispatcher.requests();
    }

    /** Starts the API server; onChange hears the resource (plural) of every stored change. */
    public static ApiServer start(int port, Clock clock, long defaultTolerationSeconds, Consumer<String> onChange) {
        return start(port, clock, defaultTolerationSeconds, onChange, System::nanoTime);
    }

    /** As {@link #start(int, Clock, long, Consumer)}, with the clock the watch cache ages its history by (tests). */
    static ApiServer start(int port, Clock clock, long defaultTolerationSeconds, Consumer<String> onChange,
                           java.util.function.LongSupplier watchCacheNanoTime) {
        ApiServer api = new ApiServer(clock, defaultTolerationSeconds, onChange, watchCacheNanoTime);
        try {
            api.listen(port);
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
        return api;
    }

    private void listen(int port) {
        HttpServerOptions options = new HttpServerOptions().setHost(InetAddress.getLoopbackAddress().getHostAddress())
                .setPort(port).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setWebSocketSubProtocols(WEBSOCKET_SUB_PROTOCOLS).setHandle100ContinueAutomatically(true);
        server = await(vertx.createHttpServer(options).requestHandler(this::handle).listen(), "listen on " + port);
    }

    /**
     * For {@code duration}, every request and watch from a client other than the sandbox's own control plane
     * ({@link #CONTROL_PLANE_USER_AGENT}) has its connection closed, open watches included, as when a client's
     * network to the API server fails or the load balancer in front of it drops the client: the kubelets keep
     * renewing their leases and the controllers keep working, pgwarden's services are cut off. With {@code everyone},
     * the control plane too, as when kube-apiserver itself is down: kubelets cannot renew and controllers cannot read.
     */
    public void outage(Duration duration, boolean everyone) {
        Cut started = new Cut(System.nanoTime() + duration.toNanos(), everyone);
        cut = started;
        openWatches.stream().filter(w -> refuses(started, w.userAgent)).forEach(OpenWatch::drop);
    }

    /** Ends an outage before its time. */
    public void endOutage() {
        cut = null;
    }

    /** The outage under way, if any. */
    public Optional<Outage> outage() {
        Cut now = cut;
        long remaining = now == null ? 0 : now.untilNanos() - System.nanoTime();
        return remaining > 0 ? Optional.of(new Outage(Duration.ofNanos(remaining), now.everyone())) : Optional.empty();
    }

    private static boolean refuses(Cut cut, String userAgent) {
        return cut != null && System.nanoTime() < cut.untilNanos()
                && (cut.everyone() || !CONTROL_PLANE_USER_AGENT.equals(userAgent));
    }

    private void handle(HttpServerRequest request) {
        if (refuses(cut, request.getHeader("User-Agent"))) {
            request.connection().close(); // the client sees its connection reset, and retries until the end
            return;
        }
        Map<String, String> query = new LinkedHashMap<>();
        request.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        if (WatchRequest.isWatch(request.method().name(), query)) {
            serveWatch(request, query);
        } else {
            mock.handle(request);
        }
    }

    // ---- watches -----------------------------------------------------------------------------------------------

    private void serveWatch(HttpServerRequest request, Map<String, String> query) {
        WatchRequest watch;
        try {
            watch = WatchRequest.parse(request.path(), query, request.getHeader("Accept"));
        } catch (ApiError e) {
            MockResponse refusal = e.toResponse();
            request.response().setStatusCode(refusal.code()).putHeader("Content-Type", "application/json")
                    .end(refusal.getBody().readUtf8());
            return;
        }
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            request.toWebSocket().onSuccess(socket -> {
                OpenWatch open = new OpenWatch(watch, new SocketSink(socket), request);
                socket.closeHandler(v -> open.clientGone());
                socket.exceptionHandler(err -> open.clientGone());
                open.start();
            });
            return;
        }
        // kubernetes/kubernetes v1.32 staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go HandleHTTP:
        // 200, Content-Type of the stream, Transfer-Encoding chunked, headers flushed before the first event.
        HttpServerResponse response = request.response().setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "application/json");
        OpenWatch open = new OpenWatch(watch, new ChunkedSink(response), request);
        response.closeHandler(v -> open.clientGone());
        response.exceptionHandler(err -> open.clientGone());
        response.writeHead();
        open.start();
    }

    /** One watch being served: its deadline (timeoutSeconds) and its bookmarks, which timers bring. */
    private final class OpenWatch {
        private final WatchRequest request;
        private final Watcher.Sink sink;
        private final HttpConnection connection;
        private final String userAgent;
        private volatile Watcher watcher;
        private volatile boolean gone;
        private long deadlineNanos;
        private volatile long deadlineTimer = -1;
        private volatile long bookmarkTimer = -1;

        OpenWatch(WatchRequest request, Watcher.Sink sink, HttpServerRequest http) {
            this.request = request;
            this.sink = sink;
            this.connection = http.connection();
            this.userAgent = http.getHeader("User-Agent");
        }

        void start() {
            openWatches.add(this);
            long timeout = request.timeoutSeconds() != null && request.timeoutSeconds() > 0 ? request.timeoutSeconds()
                    : (long) (MIN_REQUEST_TIMEOUT_SECONDS * (ThreadLocalRandom.current().nextDouble() + 1.0));
            deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            Watcher w = dispatcher.watch(request, sink);
            watcher = w;
            if (w.isClosed()) {
                return;
            }
            deadlineTimer = vertx.setTimer(TimeUnit.SECONDS.toMillis(timeout), id -> end());
            if (request.allowWatchBookmarks()) {
                scheduleBookmark();
            }
            if (gone) {
                clientGone();
            }
        }

        /**
         * cache_watcher.go nextBookmarkTime: about every minute, and 2 s before the deadline, so that a watch that
         * times out ends as close to now as possible.
         */
        private void scheduleBookmark() {
            long now = System.nanoTime();
            long next = Math.min(now + BOOKMARK_FREQUENCY_NANOS, deadlineNanos - TimeUnit.SECONDS.toNanos(2));
            if (next < now) {
                return;
            }
            bookmarkTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now)), id -> {
                Watcher w = watcher;
                if (w != null && !w.isClosed()) {
                    dispatcher.bookmark(w);
                    scheduleBookmark();
                }
            });
        }

        /** The deadline: the server ends the watch; the client watches again from its last resource version. */
        private void end() {
            Watcher w = watcher;
            if (w != null) {
                dispatcher.end(w);
            }
            vertx.cancelTimer(bookmarkTimer);
        }

        /** An outage: the connection goes, without the end of the stream a server that stops a watch sends. */
        void drop() {
            connection.close();
        }

        void clientGone() {
            gone = true;
            openWatches.remove(this);
            Watcher w = watcher;
            if (w != null) {
                w.closedByClient();
                dispatcher.forget(w);
                vertx.cancelTimer(deadlineTimer);
                vertx.cancelTimer(bookmarkTimer);
            }
        }
    }

    private record ChunkedSink(HttpServerResponse response) implements Watcher.Sink {
        @Override
        public void send(String event) {
            if (!response.closed() && !response.ended()) {
                response.write(event + "\n");
            }
        }

        @Override
        public void end() {
            if (!response.closed() && !response.ended()) {
                response.end();
            }
        }
    }

    private record SocketSink(ServerWebSocket socket) implements Watcher.Sink {
        @Override
        public void send(String event) {
            if (!socket.isClosed()) {
                socket.writeTextMessage(event);
            }
        }

        @Override
        public void end() {
            if (!socket.isClosed()) {
                socket.close((short) 1000);
            }
        }
    }

    // ---- the rest ----------------------------------------------------------------------------------------------

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** The sandbox's own controllers and kubelets write with this agent, so tests can tell their writes apart. */
    public static final String CONTROL_PLANE_USER_AGENT = "pgwarden-sandbox-control-plane";

    public KubernetesClient newClient() {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
                .withRequestTimeout(30_000).withConnectionTimeout(10_000).withHttp2Disable(true)
                // No retry loop inside the client: a kubelet retries at its next renewal and a controller at its
                // next pass, as the real ones do; a loop would hold the one heartbeat thread through an outage.
                .withRequestRetryBackoffLimit(0)
                .withUserAgent(CONTROL_PLANE_USER_AGENT).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public void close() {
        dispatcher.endWatches();
        if (server != null) {
            await(server.close(), "close the API server");
        }
        await(vertx.close(), "close Vert.x");
    }

    private static <T> T await(Future<T> future, String what) {
        CompletableFuture<T> done = new CompletableFuture<>();
        future.onComplete(r -> {
            if (r.succeeded()) {
                done.complete(r.result());
            } else {
                done.completeExceptionally(r.cause());
            }
        });
        try {
            return done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot " + what, e.getCause() == null ? e : e.getCause());
        }
    }
}
