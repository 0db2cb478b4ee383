package org.sippush.infrastructure.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;

/**
 * Group commit of binding changes on a real database (H2: {@link GroupCommitTest}; PostgreSQL:
 * {@link GroupCommitPostgresIT}): units queued while the
 * writer is busy go out in one transaction, each caller gets its own result only after the
 * commit, and a unit that throws changes nothing while the others of its batch still commit.
 */
abstract class GroupCommitContract {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    private Database database;
    private JpaBindingRepository repository;
    private ExecutorService callers;

    /** Every address of a test is unique, so that tests can share a database. */
    private final String tag = UUID.randomUUID().toString().substring(0, 8);

    abstract Database openDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        database = openDatabase();
        repository = new JpaBindingRepository(database.entityManagerFactory(), 1, 64);
        callers = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() {
        callers.shutdownNow();
        repository.close();
        database.close();
    }

    @Test
    void changesQueuedWhileTheWriterIsBusyAreCommittedInOneTransaction() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<List<Binding>> first = callers.submit(() -> repository.update(aor("first"), NOW, b -> {
            inside.countDown();
            await(release);
            b.add(new Binding(aor("first"), contact("first", 1), NOW));
            return List.copyOf(b.live());
        }));
        assertTrue(inside.await(10, TimeUnit.SECONDS), "the writer took the first change");

        List<Future<List<Binding>>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String aor = aor("user" + i);
            int n = i;
            queued.add(callers.submit(() -> repository.update(aor, NOW, b -> {
                b.add(new Binding(aor, contact("user" + n, 1), NOW));
                return List.copyOf(b.live());
            })));
        }
        awaitPending(20);
        assertTrue(queued.stream().noneMatch(Future::isDone), "no caller is answered before its commit");
        release.countDown();

        assertEquals(1, first.get(10, TimeUnit.SECONDS).size());
        for (int i = 0; i < 20; i++) {
            List<Binding> live = queued.get(i).get(10, TimeUnit.SECONDS);
            assertEquals(1, live.size());
            assertEquals("sip:user" + i + "@192.0.2.1:5060", live.get(0).contactUri());
            assertEquals(1, repository.live(aor("user" + i), NOW).size(), "durable");
        }
        assertEquals(2, repository.transactions(), "the 20 queued changes went out in one transaction");
        assertEquals(21, repository.units());
    }

    @Test
    void aUnitThatThrowsChangesNothingAndTheOthersOfItsBatchCommit() throws Exception {
        repository.update(aor("bad"), NOW, b -> {
            b.add(new Binding(aor("bad"), contact("bad", 1), NOW));
            return null;
        });
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> blocker = callers.submit(() -> repository.update(aor("first"), NOW, b -> {
            inside.countDown();
            await(release);
            return null;
        }));
        assertTrue(inside.await(10, TimeUnit.SECONDS));

        Future<Object> good1 = callers.submit(() -> repository.update(aor("good1"), NOW, b -> {
            b.add(new Binding(aor("good1"), contact("good1", 1), NOW));
            return null;
        }));
        awaitPending(1);
        Future<Object> bad = callers.submit(() -> repository.update(aor("bad"), NOW, b -> {
            b.remove(b.live().get(0)); // a change made before the unit fails must be undone
            b.add(new Binding(aor("bad"), contact("bad2", 2), NOW));
            throw new IllegalStateException("out of order");
        }));
        awaitPending(2);
        Future<Object> good2 = callers.submit(() -> repository.update(aor("good2"), NOW, b -> {
            b.add(new Binding(aor("good2"), contact("good2", 1), NOW));
            return null;
        }));
        awaitPending(3);
        release.countDown();

        blocker.get(10, TimeUnit.SECONDS);
        good1.get(10, TimeUnit.SECONDS);
        good2.get(10, TimeUnit.SECONDS);
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        assertEquals("out of order", failure.getCause().getMessage(), "the caller gets its own exception");

        assertEquals(1, repository.live(aor("good1"), NOW).size());
        assertEquals(1, repository.live(aor("good2"), NOW).size());
        List<Binding> kept = repository.live(aor("bad"), NOW);
        assertEquals(1, kept.size(), "the failed unit's removal was rolled back");
        assertEquals("sip:bad@192.0.2.1:5060", kept.get(0).contactUri());
    }

    @Test
    void changesToOneAddressInOneBatchSeeEachOther() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> blocker = callers.submit(() -> repository.update(aor("first"), NOW, b -> {
            inside.countDown();
            await(release);
            return null;
        }));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        List<Future<Integer>> counts = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int n = i;
            counts.add(callers.submit(() -> repository.update(aor("same"), NOW, b -> {
                b.add(new Binding(aor("same"), contact("dev" + n, 1), NOW));
                return b.live().size();
            })));
            awaitPending(i);
        }
        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 1, counts.get(i).get(10, TimeUnit.SECONDS), "each change sees the earlier ones");
        }
        assertEquals(5, repository.live(aor("same"), NOW).size());
        assertEquals(2, repository.transactions());
    }

    @Test
    void closingFailsWhatIsStillQueuedInsteadOfLosingItSilently() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Void> never = new CompletableFuture<>();
        callers.submit(() -> repository.update(aor("first"), NOW, b -> {
            inside.countDown();
            never.join();
            return null;
        }));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        Future<Object> queued = callers.submit(() -> repository.update(aor("late"), NOW, b -> null));
        awaitPending(1);
        never.complete(null);
        repository.close();
        // either the writer committed it before stopping or the caller was told it failed: never a hang
        try {
            queued.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        }
        assertThrows(IllegalStateException.class, () -> repository.update(aor("after"), NOW, b -> null));
    }

    private String aor(String user) {
        return "sip:" + user + "-" + tag + "@example.com";
    }

    private void awaitPending(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (repository.pending() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " queued changes, found " + repository.pending());
            }
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Contact contact(String user, long cseq) {
        String uri = "sip:" + user + "@192.0.2.1:5060";
        return new Contact(uri, uri, null, 3600, "call-" + user, cseq, "udp:192.0.2.1:5060", null, null, null);
    }
}
