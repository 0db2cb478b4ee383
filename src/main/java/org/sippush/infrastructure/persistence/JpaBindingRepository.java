package org.sippush.infrastructure.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.BindingRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;

/**
 * Bindings in a relational database through JPA.
 *
 * <p>Changes ({@link #update}) are <em>group-committed</em> when writers are configured: the
 * calling thread queues its unit of work and waits; a writer thread takes every unit that is
 * waiting (up to the batch size) and runs them in one transaction: one statement locks the rows
 * of all their addresses-of-record (in a fixed order, so two writers or two nodes cannot
 * deadlock), one loads their bindings, the changes go out in JDBC batches and one commit makes
 * them all durable. Each caller returns only after that commit, as before. When one unit of
 * work throws (an out-of-order REGISTER) or the batch fails in the database, the whole batch is
 * rolled back and every unit runs again on its own, so one bad request changes nothing for the
 * others. An idle writer takes a unit as soon as it arrives: no added delay at low load.
 */
public final class JpaBindingRepository implements BindingRepository, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JpaBindingRepository.class);
    private static final int ATTEMPTS = 3;

    private final EntityManagerFactory emf;
    private final int maxBatch;
    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private final AtomicLong batchesRetriedAlone = new AtomicLong();
    private volatile boolean closed;

    /** Every change in its own transaction on the calling thread. */
    public JpaBindingRepository(EntityManagerFactory emf) {
        this(emf, 0, 1);
    }

    /**
     * @param writers  threads that commit queued changes (0: each change in its own transaction
     *                 on the calling thread)
     * @param maxBatch most units of work committed in one transaction
     */
    public JpaBindingRepository(EntityManagerFactory emf, int writers, int maxBatch) {
        this.emf = Objects.requireNonNull(emf, "entity manager factory must not be null");
        if (writers < 0 || maxBatch < 1) {
            throw new IllegalArgumentException("writers must be >= 0 and batch size >= 1");
        }
        this.maxBatch = maxBatch;
        for (int i = 1; i <= writers; i++) {
            Thread writer = new Thread(this::writeLoop, "sippush-db-writer-" + i);
            writer.setDaemon(true);
            this.writers.add(writer);
        }
        this.writers.forEach(Thread::start);
    }

    @Override
    public <T> T update(String aor, Instant now, UnitOfWork<T> work) {
        if (writers.isEmpty()) {
            return updateAlone(aor, now, work);
        }
        Job<T> job = new Job<>(aor, now, work);
        synchronized (queue) {
            if (closed) {
                throw new IllegalStateException("binding repository is closed");
            }
            queue.add(job);
        }
        try {
            return job.result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Transactions committed (or tried) for changes so far, and units of work they carried. */
    public long transactions() {
        return transactions.get();
    }

    public long units() {
        return units.get();
    }

    /** Batches rolled back (a unit threw, or the database refused the batch) and run again one by one. */
    public long batchesRetriedAlone() {
        return batchesRetriedAlone.get();
    }

    /** Changes queued for a writer now. */
    public int pending() {
        return queue.size();
    }

    @Override
    public void close() {
        synchronized (queue) {
            closed = true;  // nothing more is queued; what is queued is still written (a stopping server's REGISTERs)
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Thread writer : writers) {
            try {
                writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        writers.forEach(Thread::interrupt);
        for (Job<?> job; (job = queue.poll()) != null; ) {
            job.result.completeExceptionally(new IllegalStateException("binding repository is closed"));
        }
    }

    private void writeLoop() {
        List<Job<?>> batch = new ArrayList<>(maxBatch);
        while (true) {
            Job<?> first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                if (closed) {
                    return;  // closed and everything queued is written
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            try {
                write(batch);
            } catch (RuntimeException | Error e) {
                // write() completes every job; this is only a last guard for the writer itself
                LOG.error("Binding writer failed", e);
                batch.forEach(job -> job.result.completeExceptionally(e));
            }
            batch.clear();
        }
    }

    private void write(List<Job<?>> batch) {
        if (batch.size() > 1) {
            try {
                List<Object> results = attemptBatch(batch);
                for (int i = 0; i < batch.size(); i++) {
                    complete(batch.get(i), results.get(i));
                }
                return;
            } catch (RuntimeException e) {
                batchesRetriedAlone.incrementAndGet();
                LOG.debug("Batch of {} changes rolled back ({}); each runs on its own", batch.size(), e.toString());
            }
        }
        for (Job<?> job : batch) {
            try {
                complete(job, updateAlone(job.aor, job.now, job.work));
            } catch (RuntimeException | Error e) {
                job.result.completeExceptionally(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Job<T> job, Object result) {
        job.result.complete((T) result);
    }

    private List<Object> attemptBatch(List<Job<?>> batch) {
        transactions.incrementAndGet();
        units.addAndGet(batch.size());
        return Transactions.inTransaction(emf, em -> {
            TreeSet<String> aors = new TreeSet<>();
            Instant latest = Instant.MIN;
            for (Job<?> job : batch) {
                aors.add(job.aor);
                latest = job.now.isAfter(latest) ? job.now : latest;
            }
            List<String> sorted = List.copyOf(aors);
            java.util.Set<String> existing = new java.util.HashSet<>();
            for (SipUserRow user : em.createQuery(
                            "select u from SipUserRow u where u.aor in :aors order by u.aor", SipUserRow.class)
                    .setParameter("aors", sorted)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .getResultList()) {
                existing.add(user.aor());
            }
            boolean created = false;
            for (String aor : sorted) {
                if (!existing.contains(aor)) {
                    em.persist(new SipUserRow(aor, latest.toEpochMilli()));
                    created = true;
                }
            }
            if (created) {
                em.flush();
            }
            Map<String, List<Binding>> live = new HashMap<>();
            for (String aor : sorted) {
                live.put(aor, new ArrayList<>());
            }
            for (Binding binding : em.createQuery(
                            "select b from Binding b where b.aor in :aors order by b.id", Binding.class)
                    .setParameter("aors", sorted)
                    .getResultList()) {
                if (binding.isLive(latest)) {
                    live.get(binding.aor()).add(binding);
                } else {
                    em.remove(binding);
                }
            }
            List<Object> results = new ArrayList<>(batch.size());
            for (Job<?> job : batch) {
                results.add(job.work.apply(view(em, live.get(job.aor))));
            }
            return results;
        });
    }

    private <T> T updateAlone(String aor, Instant now, UnitOfWork<T> work) {
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
        transactions.incrementAndGet();
        units.incrementAndGet();
        return Transactions.inTransaction(emf, em -> {
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
            T result = work.apply(view(em, live));
            return result;
        });
    }

    private static AorBindings view(EntityManager em, List<Binding> live) {
        return new AorBindings() {
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
        };
    }

    private static final class Job<T> {
        final String aor;
        final Instant now;
        final UnitOfWork<T> work;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Job(String aor, Instant now, UnitOfWork<T> work) {
            this.aor = aor;
            this.now = now;
            this.work = work;
        }
    }

    @Override
    public List<Binding> live(String aor, Instant now) {
        return Transactions.read(emf, em -> em.createQuery(
                        "select b from Binding b where b.aor = :aor and b.expiresAt > :now order by b.id", Binding.class)
                .setParameter("aor", aor)
                .setParameter("now", now.toEpochMilli())
                .getResultList());
    }

    /** The live bindings by push provider wire name ({@code none}: the contact asked for no push). */
    public java.util.Map<String, Long> liveByProvider(Instant now) {
        return Transactions.read(emf, em -> {
            java.util.Map<String, Long> counts = new java.util.TreeMap<>();
            for (Object[] row : em.createQuery("select b.pushProvider, count(b) from Binding b where b.expiresAt > :now"
                            + " group by b.pushProvider", Object[].class)
                    .setParameter("now", now.toEpochMilli())
                    .getResultList()) {
                counts.merge(row[0] == null ? "none" : (String) row[0], ((Number) row[1]).longValue(), Long::sum);
            }
            return counts;
        });
    }

    @Override
    public boolean isKnown(String aor) {
        return Transactions.read(emf, em -> em.find(SipUserRow.class, aor) != null);
    }

    @Override
    public int removeDevice(String pushIdentity) {
        return bulk(em -> em.createQuery("delete from Binding b where b.pushIdentity = :identity")
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
        return Transactions.inTransaction(emf, statement::applyAsInt);
    }
}
