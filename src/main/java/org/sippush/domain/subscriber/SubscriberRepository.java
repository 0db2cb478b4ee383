package org.sippush.domain.subscriber;

import java.util.List;
import java.util.Optional;

/** Where subscribers live (the same database as the bindings). */
public interface SubscriberRepository {

    Optional<Subscriber> find(String user, String domain);

    /** Creates or replaces the subscriber; true when it was created. */
    boolean save(Subscriber subscriber);

    /**
     * Removes the subscriber and every binding of its address-of-record, in one transaction;
     * false when there was no such subscriber.
     */
    boolean delete(String user, String domain);

    /** The subscribers of a domain, by user. */
    List<Subscriber> list(String domain);
}
