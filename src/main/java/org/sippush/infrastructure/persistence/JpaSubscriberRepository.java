package org.sippush.infrastructure.persistence;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.sippush.domain.subscriber.Subscriber;
import org.sippush.domain.subscriber.SubscriberRepository;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockModeType;

/** Subscribers in the bindings' database through JPA. */
public final class JpaSubscriberRepository implements SubscriberRepository {

    private final EntityManagerFactory emf;

    public JpaSubscriberRepository(EntityManagerFactory emf) {
        this.emf = Objects.requireNonNull(emf, "entity manager factory must not be null");
    }

    @Override
    public Optional<Subscriber> find(String user, String domain) {
        return Transactions.read(emf, em -> {
            SubscriberRow row = em.find(SubscriberRow.class, Subscriber.aor(user, domain));
            return Optional.ofNullable(row).map(SubscriberRow::toSubscriber);
        });
    }

    @Override
    public boolean save(Subscriber subscriber) {
        try {
            return saveOnce(subscriber);
        } catch (jakarta.persistence.PersistenceException e) {
            // two first PUTs at once: the other one inserted the row; this one is now a change
            return saveOnce(subscriber) && false;
        }
    }

    private boolean saveOnce(Subscriber subscriber) {
        return inTransaction(em -> {
            SubscriberRow row = em.find(SubscriberRow.class, subscriber.aor(), LockModeType.PESSIMISTIC_WRITE);
            if (row == null) {
                em.persist(new SubscriberRow(subscriber));
                return true;
            }
            row.copy(subscriber);
            return false;
        });
    }

    @Override
    public boolean delete(String user, String domain) {
        String aor = Subscriber.aor(user, domain);
        return inTransaction(em -> {
            SubscriberRow row = em.find(SubscriberRow.class, aor, LockModeType.PESSIMISTIC_WRITE);
            if (row == null) {
                return false;
            }
            // the user's row serialises this with its REGISTERs (the registrar locks it too)
            em.find(SipUserRow.class, aor, LockModeType.PESSIMISTIC_WRITE);
            em.createQuery("delete from Binding b where b.aor = :aor").setParameter("aor", aor).executeUpdate();
            em.remove(row);
            return true;
        });
    }

    @Override
    public List<Subscriber> list(String domain) {
        return Transactions.read(emf, em -> {
            return em.createQuery("select s from SubscriberRow s where s.domain = :domain order by s.username",
                            SubscriberRow.class)
                    .setParameter("domain", Subscriber.checkDomain(domain))
                    .getResultList().stream().map(SubscriberRow::toSubscriber).toList();
        });
    }

    private <T> T inTransaction(Function<EntityManager, T> work) {
        return Transactions.inTransaction(emf, work);
    }
}
