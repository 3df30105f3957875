package io.pgwarden.gateway;

import java.util.Map;

/** {@link FailoverStub}'s server standing in for backup-service too: the restore reads an undo makes. */
public class BackupStub extends FailoverStub {
    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        return Map.of("pgwarden.gateway.backup-url", config.get("pgwarden.gateway.failover-url"),
                "pgwarden.gateway.backup-timeout", "1s");
    }
}
