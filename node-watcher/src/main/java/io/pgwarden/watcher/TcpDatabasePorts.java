package io.pgwarden.watcher;

import io.pgwarden.watcher.health.DatabasePort;
import io.pgwarden.watcher.health.DatabasePorts;
import io.pgwarden.watcher.health.ManagedPod;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A managed pod's database port probed as the kubelet's {@code tcpSocket} probe does (kubernetes
 * {@code pkg/probe/tcp/tcp.go}, DoTCPProbe: a dial with a timeout, success when the connection opens, then closed at
 * once): no PostgreSQL protocol, no credentials. Non-blocking, so a mass failure costs no thread per pod.
 */
final class TcpDatabasePorts implements DatabasePorts.Port {
    private static final DatabasePort.Answer TIMED_OUT = DatabasePort.Answer.silent("connect timed out");

    private final PodAddresses addresses;
    private final Duration timeout;

    TcpDatabasePorts(PodAddresses addresses, Duration timeout) {
        this.addresses = addresses;
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<Optional<DatabasePort.Answer>> probe(ManagedPod pod) {
        return addresses.of(pod).thenCompose(address -> address.isPresent() ? connect(address.get())
                : lost()).exceptionally(failure -> Optional.empty());
    }

    private CompletableFuture<Optional<DatabasePort.Answer>> connect(InetSocketAddress address) {
        AsynchronousSocketChannel channel;
        try {
            channel = AsynchronousSocketChannel.open();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<DatabasePort.Answer>> answer = new CompletableFuture<>();
        channel.connect(address, null, new CompletionHandler<Void, Void>() {
            @Override
            public void completed(Void result, Void attachment) {
                answer.complete(Optional.of(DatabasePort.Answer.ANSWERS));
            }

            @Override
            public void failed(Throwable e, Void attachment) {
                answer.complete(silence(e));
            }
        });
        answer.completeOnTimeout(Optional.of(TIMED_OUT), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return answer.whenComplete((result, failure) -> close(channel));
    }

    /** A SYN to a host that is gone gets no answer: the connect times out. */
    private CompletableFuture<Optional<DatabasePort.Answer>> lost() {
        return new CompletableFuture<Optional<DatabasePort.Answer>>()
                .completeOnTimeout(Optional.of(TIMED_OUT), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The host answered RST, or a router said it is unreachable; anything but a network error is unknown. */
    static Optional<DatabasePort.Answer> silence(Throwable e) {
        if (e instanceof ConnectException) {
            return Optional.of(DatabasePort.Answer.silent("connection refused"));
        }
        if (e instanceof NoRouteToHostException) {
            return Optional.of(DatabasePort.Answer.silent("no route to host"));
        }
        return e instanceof IOException ? Optional.of(DatabasePort.Answer.silent("connect failed: " + e))
                : Optional.empty();
    }

    private static void close(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // a probe's connection: nothing was sent on it
        }
    }
}
