package io.pgwarden.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Port checks, so a taken port fails with its name instead of a bind stack trace deep in a library. */
public final class Ports {
    private Ports() {
    }

    /**
     * Ports handed out for "any free port" come from below Linux's ephemeral range (32768-60999), so a
     * server that binds port 0 itself, or an outgoing connection, cannot take one between our check and
     * its owner's bind; and never the same one twice in this JVM.
     */
    private static final int FIRST_CHOSEN = 20000;
    private static final int LAST_CHOSEN = 32000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** The port itself when it is free, a free one when it is 0; otherwise a clear error naming what wanted it. */
    public static int claim(int port, String what) {
        if (port == 0) {
            return choose();
        }
        return bind(port, what);
    }

    private static int choose() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(FIRST_CHOSEN, LAST_CHOSEN);
            if (HANDED_OUT.add(candidate)) {
                try {
                    return bind(candidate, "a free port");
                } catch (PortTakenException e) {
                    // taken by someone else: try another
                }
            }
        }
        throw new PortTakenException("no free port found between " + FIRST_CHOSEN + " and " + LAST_CHOSEN);
    }

    private static int bind(int port, String what) {
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
