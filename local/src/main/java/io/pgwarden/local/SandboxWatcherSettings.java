package io.pgwarden.local;

import java.util.Map;

/**
 * node-watcher's settings for the sandbox cluster: a stale node's managed pods' database ports at the local addresses
 * the sandbox publishes for their pod IPs, which lead nowhere outside it. The probe's connect timeout is not given:
 * a TCP timeout counts in real time, whatever the sandbox's time scale ({@link ClusterTimeSettings} leaves it out).
 */
final class SandboxWatcherSettings {

    private SandboxWatcherSettings() {
    }

    static Map<String, String> environment(String sandboxUrl) {
        return Map.of("PGWARDEN_WATCHER_DATABASE_ADDRESS", "sandbox", "PGWARDEN_WATCHER_SANDBOX_URL", sandboxUrl);
    }
}
