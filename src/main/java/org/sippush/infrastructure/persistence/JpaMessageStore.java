package org.sippush.infrastructure.persistence;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockModeType;

import org.sippush.domain.message.MessageStore;
import org.sippush.domain.message.StoredMessage;

/**
 * Messages in the database of the bindings ({@code stored_message}, and {@code message_delivery}: one
 * row per device that has not yet taken a message). Storing for a user locks that user's
 * {@code sip_user} row, the lock its REGISTERs take too, so the cap holds across nodes.
 */
public final class JpaMessageStore implements MessageStore {

    private static final String WAITING = "select count(*) from stored_message where aor = ?1 and notice = ?2"
            + " and expires_at > ?3";

    private final EntityManagerFactory emf;

    public JpaMessageStore(EntityManagerFactory emf) {
        this.emf = Objects.requireNonNull(emf, "emf must not be null");
    }

    @Override
    public Stored store(StoredMessage message, List<String> devices, int maxPerUser, Instant now) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a message is stored for at least one device");
        }
        return Transactions.inTransaction(emf, em -> {
            String aor = message.aor();
            if (em.find(SipUserRow.class, aor, LockModeType.PESSIMISTIC_WRITE) == null) {
                em.persist(new SipUserRow(aor, now.toEpochMilli()));
                em.flush();
            }
            long all = count(em, "select count(*) from stored_message where aor = ?1 and expires_at > ?2", aor,
                    now.toEpochMilli());
            if (all >= maxPerUser) {
                throw new Full(maxPerUser);
            }
            MessageRow row = new MessageRow(message);
            em.persist(row);
            em.flush();
            for (String device : devices.stream().distinct().toList()) {
                em.createNativeQuery("insert into message_delivery (message_id, device) values (?1, ?2)")
                        .setParameter(1, row.id()).setParameter(2, device).executeUpdate();
            }
            int waiting = (int) count(em, WAITING, aor, false, now.toEpochMilli());
            return new Stored(message.withId(row.id()), waiting);
        });
    }

    @Override
    public Optional<StoredMessage> next(String aor, String device, Instant now) {
        return Transactions.inTransaction(emf, em -> {
            List<?> ids = em.createNativeQuery("select m.id from stored_message m join message_delivery d"
                            + " on d.message_id = m.id where m.aor = ?1 and d.device = ?2 and m.expires_at > ?3"
                            + " order by m.received_at, m.id fetch first 1 rows only")  // not setMaxResults: Hibernate rewrites the SQL each time
                    .setParameter(1, aor).setParameter(2, device).setParameter(3, now.toEpochMilli())
                    .getResultList();
            if (ids.isEmpty()) {
                return Optional.empty();
            }
            MessageRow row = em.find(MessageRow.class, ((Number) ids.get(0)).longValue());
            return Optional.ofNullable(row).map(MessageRow::toMessage);
        });
    }

    @Override
    public boolean delivered(long id, String device) {
        return Transactions.inTransaction(emf, em -> {
            int removed = em.createNativeQuery("delete from message_delivery where message_id = ?1 and device = ?2")
                    .setParameter(1, id).setParameter(2, device).executeUpdate();
            em.createNativeQuery("delete from stored_message where id = ?1 and not exists"
                            + " (select 1 from message_delivery where message_id = ?1)")
                    .setParameter(1, id).executeUpdate();
            return removed > 0;
        });
    }

    @Override
    public int waiting(String aor, Instant now) {
        return Transactions.inTransaction(emf, em -> (int) count(em, WAITING, aor, false, now.toEpochMilli()));
    }

    @Override
    public int purgeExpired(Instant now) {
        return Transactions.inTransaction(emf, em -> {
            em.createNativeQuery("delete from message_delivery where message_id in"
                    + " (select id from stored_message where expires_at <= ?1)")
                    .setParameter(1, now.toEpochMilli()).executeUpdate();
            return em.createNativeQuery("delete from stored_message where expires_at <= ?1")
                    .setParameter(1, now.toEpochMilli()).executeUpdate();
        });
    }

    private static long count(EntityManager em, String sql, Object... parameters) {
        var query = em.createNativeQuery(sql);
        for (int i = 0; i < parameters.length; i++) {
            query.setParameter(i + 1, parameters[i]);
        }
        return ((Number) query.getSingleResult()).longValue();
    }
}
