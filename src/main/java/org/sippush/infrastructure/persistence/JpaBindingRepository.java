package org.sippush.infrastructure.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.BindingRepository;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;

/** Bindings in a relational database through JPA. */
public final class JpaBindingRepository implements BindingRepository {

    private static final int ATTEMPTS = 3;

    private final EntityManagerFactory emf;

    public JpaBindingRepository(EntityManagerFactory emf) {
        this.emf = Objects.requireNonNull(emf, "entity manager factory must not be null");
    }

    @Override
    public <T> T update(String aor, Instant now, UnitOfWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(aor, now, work);
            } catch (PersistenceException e) {
                // Two nodes creating the same new user at once: the loser retries and then finds the row.
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private <T> T attempt(String aor, Instant now, UnitOfWork<T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            SipUserRow user = em.find(SipUserRow.class, aor, LockModeType.PESSIMISTIC_WRITE);
            if (user == null) {
                em.persist(new SipUserRow(aor, now.toEpochMilli()));
                em.flush();
            }
            List<Binding> all = em.createQuery("select b from Binding b where b.aor = :aor order by b.id", Binding.class)
                    .setParameter("aor", aor)
                    .getResultList();
            List<Binding> live = new ArrayList<>();
            for (Binding binding : all) {
                if (binding.isLive(now)) {
                    live.add(binding);
                } else {
                    em.remove(binding);
                }
            }
            T result = work.apply(new AorBindings() {
                @Override
                public List<Binding> live() {
                    return live;
                }

                @Override
                public void add(Binding binding) {
                    em.persist(binding);
                    live.add(binding);
                }

                @Override
                public void remove(Binding binding) {
                    em.remove(binding);
                    live.remove(binding);
                }
            });
            tx.commit();
            return result;
        } catch (RuntimeException e) {
            if (tx.isActive()) {
                tx.rollback();
            }
            throw e;
        } finally {
            em.close();
        }
    }

    @Override
    public List<Binding> live(String aor, Instant now) {
        EntityManager em = emf.createEntityManager();
        try {
            return em.createQuery("select b from Binding b where b.aor = :aor and b.expiresAt > :now order by b.id",
                            Binding.class)
                    .setParameter("aor", aor)
                    .setParameter("now", now.toEpochMilli())
                    .getResultList();
        } finally {
            em.close();
        }
    }

    @Override
    public boolean isKnown(String aor) {
        EntityManager em = emf.createEntityManager();
        try {
            return em.find(SipUserRow.class, aor) != null;
        } finally {
            em.close();
        }
    }

    @Override
    public int dropPushToken(String pushIdentity) {
        return bulk(em -> em.createQuery("update Binding b set b.pushProvider = null, b.pushToken = null,"
                        + " b.pushMessageToken = null, b.pushAppId = null, b.pushParam = null, b.callPush = false,"
                        + " b.messagePush = false, b.pushIdentity = null where b.pushIdentity = :identity")
                .setParameter("identity", pushIdentity)
                .executeUpdate());
    }

    @Override
    public int purgeExpired(Instant now) {
        return bulk(em -> em.createQuery("delete from Binding b where b.expiresAt <= :now")
                .setParameter("now", now.toEpochMilli())
                .executeUpdate());
    }

    private int bulk(java.util.function.ToIntFunction<EntityManager> statement) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            int changed = statement.applyAsInt(em);
            tx.commit();
            return changed;
        } catch (RuntimeException e) {
            if (tx.isActive()) {
                tx.rollback();
            }
            throw e;
        } finally {
            em.close();
        }
    }
}
