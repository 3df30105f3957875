package io.pgwarden.contracts.event;

/** The node's {@code Ready} condition: True, False, or Unknown (the node controller lost its kubelet). */
public enum NodeReadiness { READY, NOT_READY, UNKNOWN }
