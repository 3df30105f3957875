/**
 * What node-watcher decides, in plain Java: which readings are changes, each event's sequence, when to retry,
 * when to forget a deletion, and that a key publishes one event at a time. No Quarkus, Fabric8 or Kafka here:
 * {@code io.pgwarden.watcher} reads Kubernetes objects into {@link io.pgwarden.watcher.health.Reading}s and gives
 * {@link io.pgwarden.watcher.health.HealthPublisher} its Kafka port and threads.
 */
package io.pgwarden.watcher.health;
