package io.pgwarden.contracts.event;

/**
 * One line of a subject's timeline: something pgwarden did or saw, in the domain's words.
 *
 * @param subject node name or namespace/cluster
 * @param action  what happened, e.g. {@code NodeCordoned}, {@code NodeAlreadyCordoned}
 * @param changed whether the cluster was changed (false when the action found it already done)
 * @param detail  a sentence for people
 */
public record ActivityRecorded(String subject, String action, boolean changed, String detail) {
}
