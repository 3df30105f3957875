package io.pgwarden.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Many Server-Sent Events clients read by one thread: plain HTTP/1.1 over non-blocking sockets, the chunked body
 * decoded, each {@code data:} line handed over with the moment its bytes were read. The JDK's HttpClient needs a
 * thread and its buffers per stream: 100 of them took a core of this 2-core machine, which the gateway then had to
 * share while its fan-out was timed. One selector thread leaves the cores to what is measured.
 */
final class SseClients implements AutoCloseable {

    /** A {@code data:} line of client {@code client}, read at {@code nanoTime}. */
    interface DataLine {
        void read(int client, String line, long nanoTime);
    }

    private final Selector selector;
    private final List<Stream> streams = new ArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    /** Opens {@code count} streams of {@code url} and waits until each has its 200 and headers. */
    SseClients(URI url, String authorization, int count, DataLine each, Duration timeout) throws IOException {
        selector = Selector.open();
        String request = String.format(Locale.ROOT, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: %s\r\n"
                        + "Accept: text/event-stream\r\n\r\n", url.getRawPath() + (url.getRawQuery() == null ? ""
                        : "?" + url.getRawQuery()), url.getHost(), url.getPort(), authorization);
        for (int c = 0; c < count; c++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress(url.getHost(), url.getPort()));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.configureBlocking(false);
            Stream stream = new Stream(c, each);
            streams.add(stream);
            channel.register(selector, SelectionKey.OP_READ, stream);
        }
        reader = new Thread(this::readAll, "sse-clients");
        reader.setDaemon(true);
        reader.start();
        try {
            awaitHeads(timeout);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void awaitHeads(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Stream stream : streams) {
            while (stream.status == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("event stream client " + stream.client + " got no answer within "
                            + timeout);
                }
                LockSupport.parkNanos(1_000_000);
            }
            if (stream.status != 200) {
                throw new IllegalStateException("event stream client " + stream.client + " got " + stream.status);
            }
        }
    }

    private void readAll() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        byte[] bytes = new byte[buffer.capacity()];
        try {
            while (!closed) {
                selector.select(200);
                long now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    buffer.clear();
                    int n = ((SocketChannel) key.channel()).read(buffer);
                    if (n < 0) {
                        key.cancel();
                        continue;
                    }
                    buffer.flip();
                    buffer.get(bytes, 0, n);
                    ((Stream) key.attachment()).take(bytes, n, now);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }

    /** One response: its head, then its chunked body, split into lines. */
    private static final class Stream {
        private final int client;
        private final DataLine each;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private volatile int status;
        private int statusLine;
        private boolean inHead = true;
        private boolean chunked;
        /** Bytes left of the current chunk; -1 while its size line is read. */
        private long chunkLeft = -1;
        private final StringBuilder sizeLine = new StringBuilder();
        /** The CRLF after a chunk's data, still to skip. */
        private int crlfToSkip;

        Stream(int client, DataLine each) {
            this.client = client;
            this.each = each;
        }

        void take(byte[] bytes, int length, long now) {
            for (int i = 0; i < length; i++) {
                byte b = bytes[i];
                if (inHead) {
                    headByte(b);
                } else if (!chunked) {
                    bodyByte(b, now);
                } else if (crlfToSkip > 0) {
                    crlfToSkip--;
                } else if (chunkLeft < 0) {
                    if (b == '\n') {
                        String size = sizeLine.toString().trim();
                        int extension = size.indexOf(';');
                        chunkLeft = Long.parseLong(extension < 0 ? size : size.substring(0, extension), 16);
                        sizeLine.setLength(0);
                        if (chunkLeft == 0) {
                            return; // the last chunk: the stream ended
                        }
                    } else {
                        sizeLine.append((char) b);
                    }
                } else {
                    bodyByte(b, now);
                    if (--chunkLeft == 0) {
                        chunkLeft = -1;
                        crlfToSkip = 2;
                    }
                }
            }
        }

        private void headByte(byte b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String header = line.toString(StandardCharsets.US_ASCII).trim();
            line.reset();
            if (header.startsWith("HTTP/")) {
                statusLine = Integer.parseInt(header.split(" ")[1]);
            } else if (header.isEmpty()) {
                inHead = false;
                status = statusLine;
            } else if (header.toLowerCase(Locale.ROOT).equals("transfer-encoding: chunked")) {
                chunked = true;
            }
        }

        private void bodyByte(byte b, long now) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (text.startsWith("data:")) {
                each.read(client, text, now);
            }
        }
    }
}
