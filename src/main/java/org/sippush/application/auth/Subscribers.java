package org.sippush.application.auth;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

import org.sippush.domain.subscriber.Subscriber;
import org.sippush.domain.subscriber.SubscriberRepository;

/**
 * Provisioning of subscribers (the HTTP API's use cases): a password given here is hashed for the
 * realm at once and never kept.
 */
public final class Subscribers {

    private final SubscriberRepository repository;
    private final String realm;
    private final Predicate<String> servedDomain;
    private final Clock clock;

    /**
     * @param realm        the digest realm of every domain, or null: each domain is its own realm
     * @param servedDomain whether the registrar serves a domain
     */
    public Subscribers(SubscriberRepository repository, String realm, Predicate<String> servedDomain, Clock clock) {
        this.repository = Objects.requireNonNull(repository, "repository must not be null");
        this.realm = realm == null || realm.isBlank() ? null : realm.trim();
        this.servedDomain = Objects.requireNonNull(servedDomain, "servedDomain must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** The digest realm of a domain: the configured realm, or the domain itself. */
    public String realmFor(String domain) {
        return realm != null ? realm : domain.toLowerCase(Locale.ROOT);
    }

    /**
     * Creates the subscriber or changes its password; true when created.
     *
     * @throws IllegalArgumentException naming what is wrong with the user, domain or password
     */
    public boolean put(String user, String domain, String password) {
        String lower = Subscriber.checkDomain(domain);
        if (!servedDomain.test(lower)) {
            throw new IllegalArgumentException("domain " + lower + " is not served by this server (sip.domains)");
        }
        var now = clock.instant();
        var existing = repository.find(Subscriber.checkUser(user), lower);
        Subscriber subscriber = Subscriber.withPassword(user, lower, realmFor(lower), password,
                existing.map(Subscriber::createdAt).orElse(now), now);
        return repository.save(subscriber);
    }

    public Optional<Subscriber> get(String user, String domain) {
        return repository.find(Subscriber.checkUser(user), Subscriber.checkDomain(domain));
    }

    /** Removes the subscriber and its bindings; false when there was none. */
    public boolean delete(String user, String domain) {
        return repository.delete(Subscriber.checkUser(user), Subscriber.checkDomain(domain));
    }

    public List<Subscriber> list(String domain) {
        return repository.list(Subscriber.checkDomain(domain));
    }

    /** Used by the authenticator: the subscriber as stored. */
    Optional<Subscriber> find(String user, String domain) {
        return repository.find(user, domain.toLowerCase(Locale.ROOT));
    }
}
