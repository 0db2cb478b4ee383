package org.sippush.infrastructure.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sippush.application.CallMetrics;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.sippush.testsupport.PrometheusText;

/** The metric names and labels the README lists, read back with a Prometheus text parser. */
class ServerMetricsTest {

    private static PushMessage push(PushProvider provider) {
        PushSettings target = new PushSettings(provider, "0123456789abcdef", "0123456789abcdef", "com.example.phone",
                null, true, true);
        return PushMessage.call(target, "call-1", "", "sip:bob@example.test", "sip:alice@example.test", Instant.now(),
                Instant.now().plusSeconds(30));
    }

    @Test
    void everyMetricTheReadmeNamesIsThereWithItsLabels() {
        ServerMetrics metrics = new ServerMetrics();
        CallMetrics calls = new CallMetrics(metrics);
        metrics.bindCalls(calls);
        metrics.bindBindings(List.of("apns", "fcm", "none"), () -> Map.of("apns", 2L, "none", 1L));
        long[] writes = {3, 7, 1};
        metrics.bindDatabaseWrites(writes, w -> w[0], w -> w[1], w -> w[2]);

        calls.held();
        calls.wakeDelivery().record(4_000);
        calls.sipResponse("INVITE", 480);
        calls.registration("registered");
        metrics.pushOutcome(new PushOutcome.Accepted(push(PushProvider.APNS), "id"));
        metrics.pushOutcome(new PushOutcome.Rejected(push(PushProvider.APNS),
                "APNs 410 Unregistered (token invalid since 2026-12-01T00:00:00Z)", true));
        metrics.pushOutcome(new PushOutcome.Rejected(push(PushProvider.FCM), "FCM UNREGISTERED (HTTP 404)", true));
        metrics.pushOutcome(new PushOutcome.Failed(push(PushProvider.FCM), "FCM not reached: ConnectException", -1));

        PrometheusText text = PrometheusText.parse(metrics.scrape());

        assertEquals(1, text.value("sippush_calls_held"));
        assertEquals(1, text.value("sippush_calls_held_started_total"));
        assertEquals(2, text.value("sippush_bindings", "provider", "apns"));
        assertEquals(0, text.value("sippush_bindings", "provider", "fcm"));
        assertEquals(1, text.value("sippush_bindings", "provider", "none"));
        assertEquals(3, text.value("sippush_db_write_batches_total"));
        assertEquals(7, text.value("sippush_db_write_changes_total"));
        assertEquals(1, text.value("sippush_db_write_queued"));
        assertEquals(1, text.value("sippush_sip_responses_total", "method", "INVITE", "code", "480"));
        assertEquals(1, text.value("sippush_registrations_total", "result", "registered"));
        assertEquals(1, text.value("sippush_pushes_total", "provider", "apns", "outcome", "accepted", "reason", "none"));
        assertEquals(1, text.value("sippush_pushes_total", "provider", "apns", "outcome", "rejected", "reason", "Unregistered"));
        assertEquals(1, text.value("sippush_pushes_total", "provider", "fcm", "outcome", "rejected", "reason", "UNREGISTERED"));
        assertEquals(1, text.value("sippush_pushes_total", "provider", "fcm", "outcome", "failed", "reason", "not-reached"));
        var wake = text.histogram("sippush_wake_delivery_seconds");
        assertEquals(1, wake.getSampleCount());
        assertEquals(0.004, wake.getSampleSum(), 1e-9);
        assertTrue(wake.getBuckets().stream().anyMatch(b -> b.getUpperBound() == 0.005 && b.getCumulativeCount() == 1),
                "a 4 ms wake-up falls in the 5 ms bucket: " + wake.getBuckets());
        metrics.close();
    }

    @Test
    void theBindingsGaugeOutlivesAGarbageCollection() {
        ServerMetrics metrics = new ServerMetrics();
        metrics.bindBindings(List.of("apns"), () -> Map.of("apns", 4L));
        for (int i = 0; i < 3; i++) {
            System.gc();  // Micrometer keeps a gauge's object through a weak reference unless told otherwise
        }
        assertEquals(4, PrometheusText.parse(metrics.scrape()).value("sippush_bindings", "provider", "apns"));
        metrics.close();
    }

    @Test
    void reasonLabelsAreTheProvidersCodesNotTheirTexts() {
        assertEquals("BadDeviceToken", PushReasons.label("APNs 400 BadDeviceToken"));
        assertEquals("429", PushReasons.label("APNs 429"));
        assertEquals("503", PushReasons.label("webhook 503"));
        assertEquals("not-reached", PushReasons.label("APNs not reached: ClosedChannelException"));
        assertEquals("expired", PushReasons.label("push expired before it was sent"));
        assertEquals("credentials", PushReasons.label("no APNs credentials for app com.example.x"));
        assertEquals("other", PushReasons.label("java.lang.IllegalStateException: boom"));
        assertEquals("none", PushReasons.label(""));
    }
}
