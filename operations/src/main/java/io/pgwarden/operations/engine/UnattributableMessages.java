package io.pgwarden.operations.engine;

/**
 * Whether this service answers messages on the command topic that no service can attribute to itself (no
 * readable type, an unknown type, an event). Exactly one service should, so each such message lands on
 * the dead-letter topic once; the others ignore them. The default is to ignore.
 */
public interface UnattributableMessages {

    boolean rejectHere();
}
