package io.pgwarden.failover.planned;

import io.pgwarden.failover.incident.SandboxClusterResource;

import java.util.HashMap;
import java.util.Map;

/** The sandbox cluster as {@link SandboxClusterResource} sets it up, with the planned operations' limits in seconds. */
public class PlannedSandboxResource extends SandboxClusterResource {
    static final String READY_TIMEOUT = "PT12S";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("pgwarden.failover.planned.evict-timeout", "20s");
        config.put("pgwarden.failover.planned.ready-timeout", "12s");
        config.put("pgwarden.failover.planned.write-timeout", "20s");
        config.put("pgwarden.failover.planned.stop-timeout", "30s");
        config.put("pgwarden.failover.planned.poll", "200ms");
        return config;
    }
}
