package org.sippush.application.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;

/** What the operator pages are made of: searches, bindings without tokens, the push log. */
class OperatorViewsTest {

    static final String TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed";

    @Test
    void aUserNameIsLookedUpInEveryDomainAndAnAddressAsItIs() {
        List<String> domains = List.of("example.test", "other.test");
        assertEquals(Set.of("sip:alice@example.test", "sip:alice@other.test"), UserLookup.candidates(" alice ", domains));
        assertEquals(Set.of("sip:alice@example.test"), UserLookup.candidates("alice@Example.TEST", domains));
        assertEquals(Set.of("sip:alice@example.test"), UserLookup.candidates("sip:alice@example.test", domains));
        assertEquals(Set.of(), UserLookup.candidates("", domains));
        assertEquals(Set.of(), UserLookup.candidates(null, domains));
    }

    @Test
    void aBindingIsShownWithoutItsPushParametersAndWithItsTokenMasked() {
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        String uri = "sip:alice@127.0.0.1:20001;transport=tcp;pn-provider=apns;pn-prid=" + TOKEN
                + ";pn-param=TEAM.com.example.phone.voip";
        PushSettings push = new PushSettings(PushProvider.APNS, TOKEN, TOKEN, "com.example.phone",
                "TEAM.com.example.phone.voip", true, true);
        Binding binding = new Binding("sip:alice@example.test",
                new Contact(uri, "sip:alice@127.0.0.1:20001;transport=tcp", null, 300, "c1", 1, null, null, "Phone/1.0", push), now);

        BindingView view = BindingView.of(binding);

        assertEquals("sip:alice@127.0.0.1:20001;transport=tcp", view.contact());
        assertEquals("tcp", view.transport());
        assertEquals("apns", view.provider());
        assertEquals("com.example.phone", view.appId());
        assertEquals("f00dfe…", view.tokenMasked());
        assertEquals(now, view.lastRegistration());
        assertEquals(300, view.expiresIn(now));
        assertEquals("Phone/1.0", view.userAgent());
        assertFalse(view.toString().contains(TOKEN));
    }

    @Test
    void thePushLogKeepsTheNewestFirstAndTheLastOfEachProvider() {
        PushLog log = new PushLog(Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC));
        for (int i = 0; i < PushLog.CAPACITY + 5; i++) {
            log.record(new PushOutcome.Accepted(message(PushProvider.FCM, "call-" + i), "id"));
        }
        log.record(new PushOutcome.Rejected(message(PushProvider.APNS, "last"), "APNs 400 BadDeviceToken", false));

        assertEquals(PushLog.CAPACITY, log.recent().size());
        assertEquals("last", log.recent().get(0).callId());
        assertEquals("rejected", log.lastByProvider().get("apns").outcome());
        assertEquals("APNs 400 BadDeviceToken", log.lastByProvider().get("apns").reason());
        assertEquals("call-" + (PushLog.CAPACITY + 4), log.lastByProvider().get("fcm").callId());
        assertEquals("f00dfe…", log.recent().get(0).tokenMasked());
    }

    private static PushMessage message(PushProvider provider, String callId) {
        PushSettings target = new PushSettings(provider, TOKEN, TOKEN, "com.example.phone", null, true, true);
        return PushMessage.call(target, callId, "", "sip:bob@example.test", "sip:alice@example.test", Instant.now(),
                Instant.now().plusSeconds(30));
    }
}
