package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Pod;

/** Pod phase rules shared by controllers. */
public final class PodPhases {
    private PodPhases() {
    }

    /** Succeeded or Failed: its containers will not run again (podutil.IsPodTerminal). */
    public static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }
}
