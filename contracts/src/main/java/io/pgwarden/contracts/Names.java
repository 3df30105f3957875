package io.pgwarden.contracts;

/** Naming rules of Kubernetes objects, so a bad name is refused before it reaches the API server. */
public final class Names {
    /** DNS-1123 subdomain (node names): lower case alphanumerics, '-' and '.', at most 253 characters. */
    public static final String DNS_SUBDOMAIN =
            "^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    public static final String DNS_SUBDOMAIN_MESSAGE =
            "must be a DNS-1123 subdomain: lower case letters, digits, '-' and '.', at most 253 characters";

    /** DNS-1123 label (namespaces, StatefulSets): lower case alphanumerics and '-', at most 63 characters. */
    public static final String DNS_LABEL = "^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    public static final String DNS_LABEL_MESSAGE =
            "must be a DNS-1123 label: lower case letters, digits and '-', at most 63 characters";

    /** The label of the StatefulSets (and their pods) whose database pgwarden manages. */
    public static final String MANAGED_LABEL = "pgwarden.io/managed";

    /** Kubernetes' taints of a node that stopped reporting, or that an operator declared shut down (KEP-2268). */
    public static final String TAINT_NOT_READY = "node.kubernetes.io/not-ready";
    public static final String TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String TAINT_OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

    /** Where kubelets renew their node Leases. */
    public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

    private Names() {
    }
}
