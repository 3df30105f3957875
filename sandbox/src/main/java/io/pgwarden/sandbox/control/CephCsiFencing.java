package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.kubelet.Kubelet;
import io.pgwarden.sandbox.record.Timeline;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Ceph CSI's fencing on non-graceful node shutdown ({@code --enable-fencing}, off by default; ceph-csi PRs #5429
 * "Handle non graceful node shutdown" and #5828, design in #5409): the node's client address is stored in the
 * image's metadata when the volume is staged on the node; when the volume is unpublished from a node that carries
 * the {@code node.kubernetes.io/out-of-service} taint (the force detach of KEP-2268), that address is added to the
 * Ceph blocklist, so the node's writes to the image fail; and it is removed again when a volume is next published
 * to the node, the taint gone. Disabled, nothing is stored and nothing is blocklisted.
 */
public final class CephCsiFencing {
    private final boolean enabled;
    private final CephBlocklist blocklist;
    private final Timeline timeline;
    /** Client address per volume and node ("pv|node"), as stored in the image metadata. */
    private final Map<String, String> clientAddresses = new HashMap<>();

    public CephCsiFencing(boolean enabled, CephBlocklist blocklist, Timeline timeline) {
        this.enabled = enabled;
        this.blocklist = blocklist;
        this.timeline = timeline;
    }

    /** Attachments seen for the first time are publishes: their node's client address is recorded. */
    public synchronized void published(ClusterView view, Collection<Kubelet> kubelets) {
        if (!enabled) {
            return;
        }
        Map<String, Kubelet> byName = kubelets.stream().collect(Collectors.toMap(Kubelet::name, k -> k));
        for (VolumeAttachment va : view.attachments()) {
            String node = va.getSpec().getNodeName();
            Kubelet kubelet = byName.get(node);
            String key = va.getSpec().getSource().getPersistentVolumeName() + "|" + node;
            if (kubelet == null || clientAddresses.containsKey(key)) {
                continue;
            }
            clientAddresses.put(key, kubelet.storageAddress());
            Node object = view.nodes().get(node);
            String entry = kubelet.storageAddress() + "/32";
            if (object != null && !NodeLifecycleController.hasTaint(object, Names.TAINT_OUT_OF_SERVICE)
                    && blocklist.ranges().contains(entry)) {
                blocklist.remove(entry);
                timeline.record("node", node, "Ceph CSI unblocklisted " + entry + " (volume published again)");
            }
        }
        Set<String> present = view.attachments().stream().map(va -> va.getSpec().getSource()
                .getPersistentVolumeName() + "|" + va.getSpec().getNodeName()).collect(Collectors.toSet());
        clientAddresses.keySet().retainAll(present);
    }

    /** ControllerUnpublishVolume: the VolumeAttachment is gone; node is null once the Node object is deleted. */
    public synchronized void unpublished(VolumeAttachment va, Node node) {
        String key = va.getSpec().getSource().getPersistentVolumeName() + "|" + va.getSpec().getNodeName();
        String address = clientAddresses.remove(key);
        if (!enabled || address == null || node == null
                || !NodeLifecycleController.hasTaint(node, Names.TAINT_OUT_OF_SERVICE)) {
            return;
        }
        blocklist.add(address + "/32");
        timeline.record("node", va.getSpec().getNodeName(), "Ceph CSI blocklisted " + address
                + "/32 (unpublished from an out-of-service node)");
    }
}
