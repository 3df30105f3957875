package io.pgwarden.backup.rbd;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How the {@code rbd} snapshot driver runs its Jobs ({@code pgwarden.backup.rbd.*}): as Rook's own toolbox Job
 * (rook {@code deploy/examples/toolbox-job.yaml}), in the Rook cluster's namespace with its mon endpoints and admin
 * secret.
 */
@ConfigMapping(prefix = "pgwarden.backup.rbd")
public interface RbdConfig {

    /** The Rook toolbox image: it has {@code rbd} and {@code toolbox.sh}, which writes the Ceph config. */
    @WithDefault("docker.io/rook/ceph:v1.20.6")
    String toolboxImage();

    /** The namespace of the Rook cluster, where the Jobs run (their Secret and ConfigMap live there). */
    @WithDefault("rook-ceph")
    String namespace();

    /** The ceph-csi clusterID of the volumes this toolbox reaches; Rook sets it to the cluster's namespace. */
    @WithDefault("rook-ceph")
    String clusterId();

    /** The ConfigMap with the mon endpoints (key {@code data}), which Rook keeps up to date. */
    @WithDefault("rook-ceph-mon-endpoints")
    String monEndpointsConfigMap();

    /** The Secret with the admin's user ({@code ceph-username}) and key ({@code ceph-secret}). */
    @WithDefault("rook-ceph-mon")
    String adminSecret();

    /**
     * How long a Job may run (its {@code activeDeadlineSeconds}), pulling the image included. A rollback rewrites the
     * whole image, so its time grows with the image's size (Ceph's rbd snapshot documentation).
     */
    @WithDefault("30m")
    Duration deadline();

    /** How long a finished Job stays for a look (its {@code ttlSecondsAfterFinished}) unless deleted first. */
    @WithDefault("1h")
    Duration keepFinished();
}
