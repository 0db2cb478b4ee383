package org.sippush.infrastructure.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

/** The queries behind the bindings gauge and the health check, on a real H2 database. */
class OperatorQueriesTest {

    private static Contact contact(int port, PushSettings push, long expires) {
        String uri = "sip:p@127.0.0.1:" + port;
        return new Contact(uri, uri + ";transport=udp", null, expires, "c" + port, 1, null, null, null, push);
    }

    private static PushSettings push(PushProvider provider, String token) {
        return new PushSettings(provider, token, token, "com.example.phone", null, true, true);
    }

    @Test
    void liveBindingsAreCountedByPushProvider() {
        try (Database database = Database.open("jdbc:h2:mem:ops-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
             JpaBindingRepository store = new JpaBindingRepository(database.entityManagerFactory())) {
            Instant now = Instant.now();
            store.update("sip:a@example.test", now, b -> {
                b.add(new Binding("sip:a@example.test", contact(20001, push(PushProvider.APNS, "t1"), 300), now));
                b.add(new Binding("sip:a@example.test", contact(20002, push(PushProvider.FCM, "t2"), 300), now));
                b.add(new Binding("sip:a@example.test", contact(20003, null, 300), now));
                return null;
            });
            store.update("sip:b@example.test", now, b -> {
                b.add(new Binding("sip:b@example.test", contact(20004, push(PushProvider.APNS, "t3"), 300), now));
                b.add(new Binding("sip:b@example.test", contact(20005, push(PushProvider.APNS, "t4"), 1), now));
                return null;
            });

            assertEquals(Map.of("apns", 2L, "fcm", 1L, "none", 1L), store.liveByProvider(now.plusSeconds(2)),
                    "the binding that expired is not counted");
            assertEquals(Map.of("apns", 3L, "fcm", 1L, "none", 1L), store.liveByProvider(now));
        }
    }

    @Test
    void theProbeAnswersWithinItsBound() {
        Database database = Database.open("jdbc:h2:mem:probe-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        try (DatabaseProbe probe = new DatabaseProbe(database.dataSource(), Duration.ofSeconds(1))) {
            assertTrue(probe.reachable());
            assertNull(probe.within(() -> {
                throw new IllegalStateException("no database");
            }));
            database.close();
            assertFalse(probe.reachable(), "a closed pool is not reachable");
        }
    }
}
