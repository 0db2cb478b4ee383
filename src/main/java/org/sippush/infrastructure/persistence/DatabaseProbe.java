package org.sippush.infrastructure.persistence;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * Asks the database, but never waits longer than a bound: a pool whose server is gone can block a
 * caller for its whole connection timeout (30 s), far longer than a load balancer's health check.
 * The work runs on one thread of its own; while an earlier question still hangs there, a new one
 * is answered "unreachable" at once instead of queueing behind it.
 */
public final class DatabaseProbe implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DatabaseProbe.class);

    private final DataSource dataSource;
    private final Duration bound;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "sippush-db-probe");
        thread.setDaemon(true);
        return thread;
    });
    private CompletableFuture<?> running = CompletableFuture.completedFuture(null);

    public DatabaseProbe(DataSource dataSource, Duration bound) {
        this.dataSource = dataSource;
        this.bound = bound;
    }

    /** Whether a connection can be had and answers a validation query, within the bound. */
    public boolean reachable() {
        Boolean valid = within(() -> {
            try (Connection connection = dataSource.getConnection()) {
                return connection.isValid((int) Math.max(1, bound.toSeconds()));
            } catch (java.sql.SQLException e) {
                return false;
            }
        });
        return Boolean.TRUE.equals(valid);
    }

    /** {@code work}'s answer, or null when it failed or did not answer within the bound. */
    public <T> T within(Supplier<T> work) {
        CompletableFuture<T> future;
        synchronized (this) {
            if (!running.isDone()) {
                return null;
            }
            future = CompletableFuture.supplyAsync(work, worker);
            running = future;
        }
        try {
            return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.debug("No answer from the database within {}", bound);
            return null;
        } catch (ExecutionException e) {
            LOG.debug("The database did not answer", e.getCause());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
