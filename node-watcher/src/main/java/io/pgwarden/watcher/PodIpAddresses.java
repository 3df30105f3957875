package io.pgwarden.watcher;

import io.pgwarden.watcher.health.ManagedPod;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A pod's IP and container port, as any pod of the cluster reaches it over the pod network. */
final class PodIpAddresses implements PodAddresses {

    @Override
    public CompletionStage<Optional<InetSocketAddress>> of(ManagedPod pod) {
        try {
            // an IP literal: parsed, never looked up
            return CompletableFuture.completedFuture(Optional.of(new InetSocketAddress(
                    InetAddress.getByName(pod.podIp()), pod.port())));
        } catch (UnknownHostException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
