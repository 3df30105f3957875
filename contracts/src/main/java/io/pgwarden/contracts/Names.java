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

    /**
     * A backup's id, {@code <cluster>-<yyyyMMdd-HHmmss>} in UTC (a scheduled run's slot, or when an on-request backup
     * was accepted): DNS-1123 label characters, at most 100, so the snapshot objects named after it are valid names.
     */
    public static final String BACKUP_ID = "^(?=.{1,100}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    public static final String BACKUP_ID_MESSAGE =
            "must be a backup id: lower case letters, digits and '-', at most 100 characters";

    /** Free text that becomes one line of a file (a backup label): no control characters, no line breaks. */
    public static final String PRINTABLE = "^[^\\u0000-\\u001f\\u007f]*$";
    public static final String PRINTABLE_MESSAGE = "must be one line of printable characters";

    /** The label of the StatefulSets (and their pods) whose database pgwarden manages. */
    public static final String MANAGED_LABEL = "pgwarden.io/managed";

    /** On a managed StatefulSet: {@code disabled} opts its database out of automatic failover. */
    public static final String FAILOVER_ANNOTATION = "pgwarden.io/failover";

    /**
     * On a managed StatefulSet: the Secret (in its namespace) with the {@code username} and {@code password} that
     * failover's write check and backups connect with.
     */
    public static final String CREDENTIALS_SECRET_ANNOTATION = "pgwarden.io/credentials-secret";

    /** On a node: its BMC's Redfish system URL, e.g. {@code https://10.0.0.21/redfish/v1/Systems/1}. */
    public static final String BMC_ADDRESS_ANNOTATION = "pgwarden.io/bmc-address";

    /** On a node: the addresses (comma-separated, CIDR or plain) its storage client talks to Ceph from. */
    public static final String STORAGE_ADDRESSES_ANNOTATION = "pgwarden.io/storage-client-addresses";

    /**
     * On a node pgwarden cordoned for a move: {@code <namespace>/<cluster>}, the database that left it. Failback
     * uncordons only a node that carries it, so an administrator's cordon is never undone.
     */
    public static final String CORDONED_FOR_ANNOTATION = "pgwarden.io/cordoned-for";

    /** On a managed StatefulSet: the node its last move took it from, which failback returns it to. */
    public static final String MOVED_FROM_ANNOTATION = "pgwarden.io/moved-from";

    /** On a managed StatefulSet that pgwarden stopped: the replica count start scales it back to. */
    public static final String STOPPED_REPLICAS_ANNOTATION = "pgwarden.io/stopped-replicas";

    /**
     * On a managed StatefulSet that pgwarden stopped: the node its pod ran on. While the database is stopped, an
     * incident of that node leaves it alone and says it is stopped (a planned outage).
     */
    public static final String STOPPED_ON_ANNOTATION = "pgwarden.io/stopped-on";

    /** On a managed StatefulSet: its backups' default method ({@code online}, {@code crash-consistent}, {@code cold}). */
    public static final String BACKUP_METHOD_ANNOTATION = "pgwarden.io/backup-method";

    /** On a managed StatefulSet: its backups' snapshot driver ({@code csi}, {@code rbd}), overriding the configured one. */
    public static final String SNAPSHOT_DRIVER_ANNOTATION = "pgwarden.io/snapshot-driver";

    /** On a managed StatefulSet: the VolumeSnapshotClass of its {@code csi} snapshots, overriding the configured one. */
    public static final String VOLUME_SNAPSHOT_CLASS_ANNOTATION = "pgwarden.io/volume-snapshot-class";

    /** On a managed StatefulSet: its recovery-time objective (ISO-8601, {@code PT30S}), which each drill is held to. */
    public static final String RECOVERY_TIME_OBJECTIVE_ANNOTATION = "pgwarden.io/recovery-time-objective";

    /** On the snapshot objects and Jobs of a backup: its id. */
    public static final String BACKUP_ID_LABEL = "pgwarden.io/backup";

    /** On the snapshot objects of an {@code online} backup: the {@code backup_label} pg_backup_stop returned. */
    public static final String BACKUP_LABEL_ANNOTATION = "pgwarden.io/backup-label";

    /** On the snapshot objects of an {@code online} backup: the {@code tablespace_map}, when there are tablespaces. */
    public static final String TABLESPACE_MAP_ANNOTATION = "pgwarden.io/tablespace-map";

    /** On the snapshot objects of an {@code online} backup: the LSN pg_backup_stop returned. */
    public static final String STOP_LSN_ANNOTATION = "pgwarden.io/stop-lsn";

    /** On a node: the fence driver for it ({@code redfish}, {@code network-fence}), overriding the global one. */
    public static final String FENCE_DRIVER_LABEL = "pgwarden.io/fence-driver";

    /** On a node: {@code true} keeps pgwarden from ever fencing it (an excluded node). */
    public static final String FAILOVER_EXCLUDED_LABEL = "pgwarden.io/failover-excluded";

    /** Kubernetes' taints of a node that stopped reporting, or that an operator declared shut down (KEP-2268). */
    public static final String TAINT_NOT_READY = "node.kubernetes.io/not-ready";
    public static final String TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String TAINT_OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

    /** Where kubelets renew their node Leases. */
    public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

    private Names() {
    }
}
