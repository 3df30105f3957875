package io.pgwarden.failover.fence;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.smallrye.config.ConfigMapping;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;

/**
 * The fence Ceph CSI puts in place itself when it runs with {@code --enable-fencing} (ceph-csi PRs #5429 "Handle non
 * graceful node shutdown" and #5828, design in #5409, late 2025): when it unpublishes a volume
 * ({@code ControllerUnpublishVolume}) from a node that has the {@code node.kubernetes.io/out-of-service} taint, it adds
 * the node's client address, stored in the image's metadata when the volume was staged, to the Ceph blocklist. So
 * the taint is the request and the detach is the confirmation: once none of the driver's VolumeAttachments for the
 * node is left, the external-attacher has called ControllerUnpublishVolume for each, and each blocklisted the node.
 * pgwarden creates no second fence; the incident puts the taint on ({@link #taintFences()}).
 */
@Singleton
public class CephCsiTaintFenceDriver implements FenceDriver {
    public static final String NAME = "ceph-csi-taint";

    @ConfigMapping(prefix = "pgwarden.failover.ceph-csi-taint")
    public interface Settings {
        /** The Ceph CSI RBD driver, as VolumeAttachments name their attacher, e.g. rook-ceph.rbd.csi.ceph.com. */
        Optional<String> driver();
    }

    private final KubernetesClient client;
    private final Settings settings;

    public CephCsiTaintFenceDriver(KubernetesClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean taintFences() {
        return true;
    }

    @Override
    public Optional<String> misconfiguration(FenceTarget target) {
        return settings.driver().isPresent() ? Optional.empty()
                : Optional.of("pgwarden.failover.ceph-csi-taint.driver is not set (the Ceph CSI RBD driver whose "
                + "detach fences the node, e.g. rook-ceph.rbd.csi.ceph.com)");
    }

    /** Nothing to ask for here: the out-of-service taint, which the incident puts on, is the request. */
    @Override
    public void fence(FenceTarget target) {
    }

    @Override
    public FenceStatus status(FenceTarget target) {
        String driver = settings.driver().orElseThrow(() -> new IllegalStateException(
                misconfiguration(target).orElseThrow()));
        Node node = client.nodes().withName(target.node()).get();
        List<String> attached = client.storage().v1().volumeAttachments().list().getItems().stream()
                .filter(va -> driver.equals(va.getSpec().getAttacher())
                        && target.node().equals(va.getSpec().getNodeName()))
                .map(va -> va.getMetadata().getName()).sorted().toList();
        return read(target.node(), driver, node == null ? null : node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> Names.TAINT_OUT_OF_SERVICE.equals(t.getKey())),
                attached);
    }

    /** The taint is the incident's to lift; the blocklist entry goes when Ceph CSI next publishes to the node. */
    @Override
    public void unfence(FenceTarget target, boolean powerOn) {
    }

    /**
     * @param tainted  whether the node has the out-of-service taint; null when the Node object is gone
     * @param attached the driver's VolumeAttachments still on the node
     */
    static FenceStatus read(String node, String driver, Boolean tainted, List<String> attached) {
        if (tainted == null) {
            return FenceStatus.of(FenceStatus.State.FAILED, "node " + node + " is deleted: Ceph CSI blocklists only "
                    + "a node that has the " + Names.TAINT_OUT_OF_SERVICE + " taint when it unpublishes its volumes");
        }
        if (!tainted) {
            return FenceStatus.of(FenceStatus.State.PENDING, "node " + node + " has no " + Names.TAINT_OUT_OF_SERVICE
                    + " taint yet: Ceph CSI fences it when it unpublishes its volumes from it with the taint on");
        }
        if (!attached.isEmpty()) {
            return FenceStatus.of(FenceStatus.State.PENDING, attached.size() + " VolumeAttachment(s) of " + driver
                    + " still on node " + node + " (" + String.join(", ", attached) + ")");
        }
        return FenceStatus.of(FenceStatus.State.FENCED, "node " + node + " is tainted " + Names.TAINT_OUT_OF_SERVICE
                + " and no VolumeAttachment of " + driver + " is left on it: Ceph CSI blocklisted it as it "
                + "unpublished them");
    }
}
