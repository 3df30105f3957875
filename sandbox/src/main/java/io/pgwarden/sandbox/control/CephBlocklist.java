package io.pgwarden.sandbox.control;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Ceph OSD blocklist of the storage cluster: address ranges whose clients the OSDs refuse. NetworkFences and
 * Ceph CSI's own fencing add to it and remove from it; nothing else does (deleting a NetworkFence does not unfence,
 * and Ceph CSI adds its entries for about five years: {@code blocklistTime} in ceph-csi {@code
 * internal/csi-addons/networkfence/fencing.go}).
 */
public final class CephBlocklist {
    private final Set<String> ranges = new LinkedHashSet<>();

    public synchronized void add(String cidr) {
        ranges.add(cidr);
    }

    public synchronized void remove(String cidr) {
        ranges.remove(cidr);
    }

    public synchronized List<String> ranges() {
        return new ArrayList<>(ranges);
    }

    /** Whether a client talking from this address is refused. */
    public synchronized boolean covers(String address) {
        return ranges.stream().anyMatch(r -> NetworkFences.contains(r, address));
    }
}
