package io.pgwarden.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of the event stream that stops reading when told, on a plain socket with a 4 KiB receive buffer: the
 * TCP window closes at once, so what the gateway sends it piles up on the gateway's side, as for a client on a slow
 * link. (The JDK's HttpClient keeps its own buffers and cannot size the socket's.) It reads the chunked body itself.
 */
final class StalledSseClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final StringBuilder text = new StringBuilder();
    private boolean ended;

    StalledSseClient(int port, String pathAndQuery, String authorization) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept:"
                + " text/event-stream\r\nAuthorization: " + authorization + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        in = new BufferedInputStream(socket.getInputStream(), 1024);
        String status = line();
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("the stream answered " + status);
        }
        while (!line().isEmpty()) {
            // headers: the body is chunked, as a stream's is
        }
    }

    /** Reads until the text contains what (or the deadline passes); then reads nothing more until asked. */
    boolean readUntil(String what, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!ended && text.indexOf(what) < 0 && System.nanoTime() < deadline) {
            readChunk(Duration.ofMillis(200));
        }
        return text.indexOf(what) >= 0;
    }

    /**
     * Reads until the gateway ends the stream.
     *
     * @return false when it did not end within the deadline
     */
    boolean readToEnd(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!ended && System.nanoTime() < deadline) {
            readChunk(Duration.ofSeconds(1));
        }
        return ended;
    }

    /** The complete events read so far (those ended by a blank line), in order. */
    List<SseClient.Event> events() {
        List<SseClient.Event> events = new ArrayList<>();
        String all = text.toString();
        int end = all.lastIndexOf("\n\n");
        for (String block : end < 0 ? new String[0] : all.substring(0, end).split("\n\n")) {
            String id = null;
            String name = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data = line.substring(5).strip();
                }
            }
            if (data != null) {
                events.add(new SseClient.Event(id, name, data, null));
            }
        }
        return events;
    }

    private void readChunk(Duration timeout) throws IOException {
        try {
            // Wait for the chunk's first byte only: a timeout inside a chunk would lose what was read of it.
            socket.setSoTimeout((int) timeout.toMillis());
            int first = in.read();
            if (first < 0) {
                throw new EOFException();
            }
            socket.setSoTimeout(10_000);
            String size = (char) first + line();
            int length = Integer.parseInt(size.split(";")[0].strip(), 16);
            if (length == 0) {
                ended = true;
                return;
            }
            byte[] chunk = in.readNBytes(length);
            if (chunk.length < length) {
                throw new EOFException();
            }
            text.append(new String(chunk, StandardCharsets.UTF_8));
            line();
        } catch (SocketTimeoutException e) {
            // nothing yet
        } catch (EOFException | java.net.SocketException e) {
            ended = true; // closed, or reset, by the gateway
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException();
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
