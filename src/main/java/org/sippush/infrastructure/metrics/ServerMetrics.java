package org.sippush.infrastructure.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.sippush.application.CallMetrics;
import org.sippush.application.ops.Observations;
import org.sippush.application.ops.PushRecord;
import org.sippush.domain.push.PushOutcome;

/**
 * The metrics of one deployment in a registry of its own (no global state: a redeploy starts
 * afresh). Names are Micrometer's dotted names; Prometheus shows them with underscores, counters
 * with {@code _total} and the wake-up timer in seconds (README, "Metrics").
 */
public final class ServerMetrics implements Observations {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer wake;

    public ServerMetrics() {
        wake = Timer.builder("sippush.wake.delivery")
                .description("From a woken phone's REGISTER reaching the server to its held INVITE leaving")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
                        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1))
                .register(registry);
    }

    /** Gauges of the calls: held now, held in all, delivered, timed out, live application sessions. */
    public void bindCalls(CallMetrics calls) {
        Gauge.builder("sippush.calls.held", calls, CallMetrics::heldNow)
                .description("Calls held now for phones being woken").register(registry);
        FunctionCounter.builder("sippush.calls.held.started", calls, c -> c.heldTotal())
                .description("Calls held since the start").register(registry);
        FunctionCounter.builder("sippush.calls.delivered", calls, c -> c.deliveredTotal())
                .description("Held calls delivered to a woken phone").register(registry);
        FunctionCounter.builder("sippush.calls.timed.out", calls, c -> c.timedOutTotal())
                .description("Held calls whose push wait ended without a woken phone").register(registry);
    }

    /**
     * The live bindings by push provider ({@code none}: no push), counted by the database at
     * scrape time; {@code counts} is asked once per scrape for all providers and may answer null
     * (database unreachable: the gauges show NaN).
     */
    public void bindBindings(Iterable<String> providers, Supplier<Map<String, Long>> counts) {
        ScrapeOnce<Map<String, Long>> once = new ScrapeOnce<>(counts);
        for (String provider : providers) {
            Gauge.builder("sippush.bindings", once, o -> {
                        Map<String, Long> now = o.get();
                        return now == null ? Double.NaN : now.getOrDefault(provider, 0L).doubleValue();
                    })
                    .description("Live bindings by push provider (none: no push)")
                    .tag("provider", provider)
                    .strongReference(true)  // Micrometer holds a gauge's object weakly: nothing else holds this one
                    .register(registry);
        }
    }

    /** The registrar's group-committed database writes. */
    public <T> void bindDatabaseWrites(T store, ToDoubleFunction<T> transactions, ToDoubleFunction<T> changes,
                                       ToDoubleFunction<T> queued) {
        FunctionCounter.builder("sippush.db.write.batches", store, transactions)
                .description("Database transactions that committed registrar changes (one per batch)").register(registry);
        FunctionCounter.builder("sippush.db.write.changes", store, changes)
                .description("Registrar changes those batches carried").register(registry);
        Gauge.builder("sippush.db.write.queued", store, queued)
                .description("Registrar changes waiting for a batch").register(registry);
    }

    @Override
    public void pushOutcome(PushOutcome outcome) {
        var message = outcome.message();
        Counter.builder("sippush.pushes")
                .description("Pushes by provider, kind, outcome and the provider's reason")
                .tag("provider", message.target().provider().wireName())
                .tag("kind", message.kind().wireName())
                .tag("outcome", PushRecord.outcomeName(outcome))
                .tag("reason", PushReasons.label(PushRecord.reasonOf(outcome)))
                .register(registry).increment();
    }

    @Override
    public void wakeDelivery(long micros) {
        wake.record(micros, TimeUnit.MICROSECONDS);
    }

    @Override
    public void sipResponse(String method, int status) {
        Counter.builder("sippush.sip.responses")
                .description("SIP responses sent or relayed, by request method and status code")
                .tag("method", method).tag("code", Integer.toString(status))
                .register(registry).increment();
    }

    @Override
    public void registration(String result) {
        Counter.builder("sippush.registrations")
                .description("REGISTER requests answered, by result")
                .tag("result", result).register(registry).increment();
    }

    /** The metrics in Prometheus' text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        registry.close();
    }

    /** A value computed at most once per second (a scrape reads every gauge in a row). */
    static final class ScrapeOnce<T> {
        private final Supplier<T> source;
        private T value;
        private long at;

        ScrapeOnce(Supplier<T> source) {
            this.source = source;
        }

        synchronized T get() {
            long now = System.nanoTime();
            if (at == 0 || now - at > 1_000_000_000L) {
                try {
                    value = source.get();
                } catch (RuntimeException e) {
                    value = null;
                }
                at = now;
            }
            return value;
        }
    }
}
