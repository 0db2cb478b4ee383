package org.sippush.application.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LimitsTest {

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Test
    void aBucketGivesItsBurstThenItsRateAndKeysAreIndependent() {
        RateLimiter limiter = new RateLimiter(10, TimeUnit.SECONDS.toNanos(1), 5, nanos::get);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.tryAcquire("a"));
        }
        assertFalse(limiter.tryAcquire("a"));
        assertTrue(limiter.tryAcquire("b"), "another source has its own bucket");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertTrue(limiter.tryAcquire("a"), "one token per 100 ms at 10/s");
        assertFalse(limiter.tryAcquire("a"));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(60));
        int granted = 0;
        while (limiter.tryAcquire("a")) {
            granted++;
        }
        assertEquals(5, granted, "never more than the burst saved up");
    }

    @Test
    void pushesPerMinute() {
        RateLimiter perMinute = new RateLimiter(3, TimeUnit.MINUTES.toNanos(1), 3, nanos::get);
        assertTrue(perMinute.tryAcquire("phone") && perMinute.tryAcquire("phone") && perMinute.tryAcquire("phone"));
        assertFalse(perMinute.tryAcquire("phone"));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(20));
        assertTrue(perMinute.tryAcquire("phone"));
        assertEquals(20, perMinute.secondsUntilNext());
    }

    @Test
    void zeroMeansNoLimit() {
        Limits none = Limits.of(0, 0, 0, 1, 1);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(none.allowRequestFrom("127.0.0.9") && none.allowPushTo("x"));
        }
        assertThrows(IllegalArgumentException.class, () -> Limits.of(1, 1, 1, 0, 1));
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.3,          127.0.0.3,   true",
            "127.0.0.3,          127.0.0.4,   false",
            "127.0.0.0/30,       127.0.0.3,   true",
            "127.0.0.0/30,       127.0.0.4,   false",
            "10.1.0.0/16,        10.1.255.7,  true",
            "10.1.0.0/17,        10.1.128.1,  false",
            "0.0.0.0/0,          198.51.100.1, true",
            "2001:db8::/32,      2001:db8::1, true",
            "2001:db8::/32,      127.0.0.1,   false",
            "::1,                ::1,         true",
    })
    void trustedPeersMatchAddressesAndNetworks(String entry, String source, boolean trusted) {
        assertEquals(trusted, TrustedPeers.parse(List.of(entry)).trusts(source));
    }

    @ParameterizedTest
    @CsvSource({"pbx.example.org", "127.0.0.1/33", "127.0.0.1/x", "/8", "1.2.3.4/-1"})
    void aTrustedPeerThatIsNoAddressIsAStartupErrorNamingIt(String entry) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrustedPeers.parse(List.of(entry)));
        assertTrue(e.getMessage().contains(entry), e.getMessage());
    }

    @Test
    void noTrustedPeersTrustsNobody() {
        assertFalse(TrustedPeers.none().trusts("127.0.0.1"));
        assertFalse(TrustedPeers.parse(List.of()).trusts("127.0.0.1"));
    }
}
