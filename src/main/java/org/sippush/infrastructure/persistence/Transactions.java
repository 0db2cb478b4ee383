package org.sippush.infrastructure.persistence;

import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;

/** One unit of work in one transaction: committed when it returns, rolled back when it throws. */
final class Transactions {

    private Transactions() {
    }

    /**
     * A read, in a transaction that is committed. Not a bare EntityManager: without a commit the
     * pool rolls the connection back when it is returned, and H2 empties the connection's
     * statement cache at every rollback, so each read parsed its SQL again.
     */
    static <T> T read(EntityManagerFactory emf, Function<EntityManager, T> work) {
        return inTransaction(emf, work);
    }

    static <T> T inTransaction(EntityManagerFactory emf, Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(em);
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
}
