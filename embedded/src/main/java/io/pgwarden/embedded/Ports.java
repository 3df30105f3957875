package io.pgwarden.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Port checks, so a taken port fails with its name instead of a bind stack trace deep in a library. */
public final class Ports {
    private Ports() {
    }

    /** The port itself when it is free, a free one when it is 0; otherwise a clear error naming what wanted it. */
    public static int claim(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new PortTakenException(what + " cannot use port " + port + " on 127.0.0.1: it is already taken ("
                    + e.getMessage() + "). Stop whatever holds it or choose another port.");
        }
    }

    public static int free() {
        return claim(0, "a free port");
    }

    /** A port that something else is listening on. */
    public static final class PortTakenException extends UncheckedIOException {
        public PortTakenException(String message) {
            super(message, new IOException(message));
        }
    }
}
