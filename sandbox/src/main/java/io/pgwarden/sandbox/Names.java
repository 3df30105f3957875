package io.pgwarden.sandbox;

/** The well-known label, taint and driver names of Kubernetes that the sandbox reads or writes, in one place. */
public final class Names {
    public static final String MANAGED_LABEL = "pgwarden.io/managed";
    public static final String TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String TAINT_OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";
    public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    public static final String CSI_DRIVER = "rbd.csi.sandbox.pgwarden.io";
    public static final String STORAGE_CLASS = "sandbox-rbd";
    public static final String SNAPSHOT_CLASS = "sandbox-rbd-snapclass";

    private Names() {
    }
}
