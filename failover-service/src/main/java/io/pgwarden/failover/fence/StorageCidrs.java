package io.pgwarden.failover.fence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The CIDRs a NetworkFence blocklists, from addresses an administrator wrote down: plain IPs become one-address
 * blocks ({@code /32}, {@code /128}), as Ceph CSI blocklists a single client (ceph-csi
 * {@code internal/csi-addons/networkfence/fencing.go}). Nothing is looked up: a host name is refused, not resolved.
 */
public final class StorageCidrs {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

    private StorageCidrs() {
    }

    /**
     * The annotation's comma-separated addresses as CIDRs, in their order, without repeats.
     *
     * @throws IllegalArgumentException naming the first entry that is neither an IP address nor a CIDR
     */
    public static List<String> parse(String annotation) {
        List<String> entries = new ArrayList<>();
        for (String entry : annotation.split(",")) {
            if (!entry.isBlank()) {
                entries.add(entry.trim());
            }
        }
        return of(entries);
    }

    /** Each address or CIDR as a CIDR. */
    public static List<String> of(Collection<String> addresses) {
        List<String> cidrs = new ArrayList<>();
        for (String address : addresses) {
            String cidr = cidr(address);
            if (!cidrs.contains(cidr)) {
                cidrs.add(cidr);
            }
        }
        return List.copyOf(cidrs);
    }

    static String cidr(String entry) {
        String[] parts = entry.split("/", -1);
        if (parts.length > 2) {
            throw notAnAddress(entry);
        }
        String ip = parts[0];
        int max;
        if (isIpv4(ip)) {
            max = 32;
        } else if (IPV6.matcher(ip).matches() && ip.chars().filter(c -> c == ':').count() >= 2) {
            max = 128;
        } else {
            throw notAnAddress(entry);
        }
        if (parts.length == 1) {
            return ip + "/" + max;
        }
        if (!parts[1].matches("\\d{1,3}") || Integer.parseInt(parts[1]) > max) {
            throw notAnAddress(entry);
        }
        return ip + "/" + Integer.parseInt(parts[1]);
    }

    private static boolean isIpv4(String ip) {
        var m = IPV4.matcher(ip);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException notAnAddress(String entry) {
        return new IllegalArgumentException("\"" + entry + "\" is neither an IP address nor a CIDR");
    }
}
