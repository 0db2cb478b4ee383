package org.sippush.domain.binding;

import java.time.Instant;
import java.util.List;

/** Where bindings live. Every change to one address-of-record happens in one unit of work. */
public interface BindingRepository {

    /**
     * Runs {@code work} on the live bindings of {@code aor} in one transaction, serialised with
     * every other change to the same address-of-record (on this node and, with PostgreSQL, on
     * all nodes). The changes are durable when this returns; if {@code work} throws, nothing is.
     */
    <T> T update(String aor, Instant now, UnitOfWork<T> work);

    /** The live bindings of {@code aor}, in the order they were first registered. */
    List<Binding> live(String aor, Instant now);

    /** Whether the address-of-record ever registered (the user is known). */
    boolean isKnown(String aor);

    /**
     * Removes every binding of this push identity: the provider said its token is dead (the app was
     * uninstalled or the token replaced), and a binding whose only way to wake the phone is gone
     * would leave the next call waiting on a dead contact (RFC 8599 §4.1.2: stop using that PRID).
     * Returns how many bindings were removed.
     */
    int removeDevice(String pushIdentity);

    /** Deletes every binding that expired before {@code now}; returns how many. */
    int purgeExpired(Instant now);

    @FunctionalInterface
    interface UnitOfWork<T> {
        T apply(AorBindings bindings);
    }

    /** The bindings of one address-of-record inside a unit of work. */
    interface AorBindings {
        List<Binding> live();

        void add(Binding binding);

        void remove(Binding binding);
    }
}
