package io.pgwarden.gateway;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's roles, each including the ones below it: viewer reads, operator also runs the day-to-day commands
 * (cordon, move, stop, backup, …), admin also the ones that can lose data or disarm safety (restore, undo, unfence,
 * pause, schedules, backup deletion). A route names the lowest role it needs ({@code @RolesAllowed(Roles.OPERATOR)});
 * {@link RoleHierarchy} gives every caller the roles below its own, so the higher ones pass too.
 */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";

    /** Lowest first. */
    static final List<String> ORDER = List.of(VIEWER, OPERATOR, ADMIN);

    private Roles() {
    }

    /** The roles a caller holds: the ones its token names plus every one below the highest of them. */
    static Set<String> withImplied(Set<String> granted) {
        Set<String> roles = new LinkedHashSet<>(granted);
        int highest = -1;
        for (int i = 0; i < ORDER.size(); i++) {
            if (granted.contains(ORDER.get(i))) {
                highest = i;
            }
        }
        roles.addAll(ORDER.subList(0, highest + 1));
        return roles;
    }
}
