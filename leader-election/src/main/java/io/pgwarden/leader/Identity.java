package io.pgwarden.leader;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * This replica's holder identity: its host name (the pod name in a cluster) and a random suffix, so two
 * processes on one host, or a restarted pod with the same name, are never mistaken for the holder before them.
 */
final class Identity {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Identity() {
    }

    static String generate() {
        return of(hostname(), RANDOM.nextInt());
    }

    /** {@code <host>_<8 hex digits>}; "pgwarden" when the host name is unknown. */
    static String of(String hostname, int random) {
        String host = hostname == null || hostname.isBlank() ? "pgwarden" : hostname.trim().toLowerCase(Locale.ROOT);
        return host + "_" + String.format("%08x", random);
    }

    private static String hostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
