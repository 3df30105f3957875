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

    /** Labels, annotations and taints pgwarden reads or writes. */
    public static final String MANAGED_LABEL = "pgwarden.io/managed";

    private Names() {
    }
}
