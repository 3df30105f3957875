package io.pgwarden.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings every pgwarden service shares. */
@ConfigMapping(prefix = "pgwarden")
public interface ServiceConfig {

    /** The service's name; its CloudEvents source is {@code /pgwarden/<name>}. */
    String service();

    /** How long to wait for the broker to acknowledge a published event before the step fails. */
    @WithDefault("30s")
    Duration publishTimeout();
}
