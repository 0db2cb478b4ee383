package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.UUID;

import javax.sip.header.ContactHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sippush.testsupport.BindingRows;
import org.sippush.testsupport.BindingRows.Row;
import org.sippush.testsupport.SipPhone;

/**
 * What the registrar must do (RFC 3261 §10, RFC 8599, PortSIP X-Push), checked with real
 * REGISTERs from a JAIN-SIP phone and by reading the database. Run against H2 and PostgreSQL by
 * the subclasses.
 */
abstract class RegistrarContract {

    static final String VOIP = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String APNS = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    static final String FCM = "dGVzdC1mY20tdG9rZW4:APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAEcl7B338qju59zJMjw2DELjzEvxwYv7hH5Ynpc1ODQ0aT4U4OFEeco8ohsN5PjL1iC2dNtk2BAokeMCg2ZXKqpc8FXKmhX94kIxQ";

    final List<SipPhone> phones = new ArrayList<>();
    String aor;

    /** The database the deployment uses. */
    abstract BindingRows rows();

    @BeforeEach
    void newUser() {
        aor = "sip:u" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    }

    @AfterEach
    void stopPhones() {
        phones.forEach(SipPhone::close);
    }

    SipPhone phone(String name) {
        SipPhone phone = SipPhone.start(name);
        phones.add(phone);
        return phone;
    }

    SipPhone.Registration register(SipPhone phone, String transport) {
        return phone.register(aor, Deployments.sipPort(), transport);
    }

    static List<ContactHeader> contacts(Response response) {
        List<ContactHeader> list = new ArrayList<>();
        for (ListIterator<?> it = response.getHeaders(ContactHeader.NAME); it.hasNext(); ) {
            list.add((ContactHeader) it.next());
        }
        return list;
    }

    static String uriOf(ContactHeader contact) {
        return contact.getAddress().getURI().toString();
    }

    // ---------------------------------------------------------------- the three dialects

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void portSipXPushFromAnIPhoneIsStored(String transport) {
        SipPhone phone = phone("iphone");
        Response ok = register(phone, transport).contactHere("", "")
                .header("X-Push", "device-os=ios;device-uid=" + VOIP + "|" + APNS
                        + ";allow-call-push=true;allow-message-push=true;app-id=com.example.phone")
                .expires(300).send();

        assertEquals(200, ok.getStatusCode());
        List<ContactHeader> listed = contacts(ok);
        assertEquals(1, listed.size());
        assertTrue(listed.get(0).getExpires() > 290 && listed.get(0).getExpires() <= 300, "expires " + listed.get(0).getExpires());
        Row row = rows().of(aor).get(0);
        assertAll(
                () -> assertEquals("apns", row.pushProvider()),
                () -> assertEquals(VOIP, row.pushToken()),
                () -> assertEquals(APNS, row.pushMessageToken()),
                () -> assertEquals("com.example.phone", row.pushAppId()),
                () -> assertTrue(row.callPush()),
                () -> assertTrue(row.messagePush()),
                () -> assertTrue(row.contactUri().contains(":" + phone.port())));
    }

    @Test
    void olderPortSipHeaderNameIsUnderstood() {
        SipPhone phone = phone("android");
        Response ok = register(phone, "udp").contactHere("", "")
                .header("x-p-push", "device-os=android;device-uid=" + FCM + ";allow-call-push=true;allow-message-push=false;app-id=com.example.phone")
                .expires(300).send();

        assertEquals(200, ok.getStatusCode());
        Row row = rows().of(aor).get(0);
        assertEquals("fcm", row.pushProvider());
        assertEquals(FCM, row.pushToken());
        assertTrue(row.callPush());
        assertFalse(row.messagePush());
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void rfc8599ContactParametersAreStored(String transport) {
        SipPhone phone = phone("rfc8599");
        Response ok = register(phone, transport)
                .contactHere(";pn-provider=apns;pn-prid=" + VOIP + ";pn-param=ABCDE12345.com.example.phone.voip", "")
                .expires(600).send();

        assertEquals(200, ok.getStatusCode());
        assertEquals("*;+sip.pns=\"apns\"", ok.getHeader("Feature-Caps").toString().substring("Feature-Caps:".length()).trim(),
                "RFC 8599 §5: the proxy announces the push service it supports");
        Row row = rows().of(aor).get(0);
        assertAll(
                () -> assertEquals("apns", row.pushProvider()),
                () -> assertEquals(VOIP, row.pushToken()),
                () -> assertEquals("com.example.phone", row.pushAppId()),
                () -> assertEquals("ABCDE12345.com.example.phone.voip", row.pushParam()));
    }

    @Test
    void rfc8599FcmAndSandboxProviders() {
        SipPhone android = phone("fcm");
        assertEquals(200, register(android, "udp")
                .contactHere(";pn-provider=fcm;pn-prid=" + FCM + ";pn-param=my-firebase-project", "").expires(300).send()
                .getStatusCode());
        SipPhone iphone = phone("sandbox");
        assertEquals(200, register(iphone, "udp")
                .contactHere(";pn-provider=apns.dev;pn-prid=" + VOIP + ";pn-param=ABCDE12345.com.example.phone.voip", "")
                .expires(300).send().getStatusCode());

        List<Row> rows = rows().of(aor);
        assertEquals(List.of("fcm", "apns.dev"), rows.stream().map(Row::pushProvider).toList());
        assertEquals("my-firebase-project", rows.get(0).pushAppId());
    }

    @Test
    void linphoneLegacyParametersAreStored() {
        SipPhone phone = phone("linphone");
        Response ok = register(phone, "udp")
                .contactHere(";pn-type=apple;app-id=org.linphone.phone.dev;pn-tok=" + VOIP, "").expires(300).send();

        assertEquals(200, ok.getStatusCode());
        Row row = rows().of(aor).get(0);
        assertEquals("apns.dev", row.pushProvider());
        assertEquals("org.linphone.phone", row.pushAppId());
        assertEquals(VOIP, row.pushToken());
    }

    // ---------------------------------------------------------------- refresh, matching, removal

    @Test
    void wokenPhoneFromNewAddressReplacesItsBinding() {
        String pn = ";pn-provider=apns;pn-prid=" + VOIP + ";pn-param=ABCDE12345.com.example.phone.voip";
        SipPhone before = phone("asleep");
        assertEquals(200, register(before, "udp").contactHere(pn, "").expires(300).send().getStatusCode());
        SipPhone woken = phone("woken");  // the app was killed; it comes back with a new port and Call-ID

        Response ok = register(woken, "tcp").contactHere(pn, "").expires(300).send();

        assertEquals(200, ok.getStatusCode());
        List<ContactHeader> listed = contacts(ok);
        assertEquals(1, listed.size(), "old contact replaced, not kept beside the new one: " + listed);
        assertTrue(uriOf(listed.get(0)).contains(":" + woken.port()));
        List<Row> rows = rows().of(aor);
        assertEquals(1, rows.size());
        assertTrue(rows.get(0).contactUri().contains(":" + woken.port()));
        assertEquals(woken.callId(), rows.get(0).callId());
    }

    @Test
    void sameInstanceFromNewAddressReplacesItsBinding() {
        String instance = ";+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
        SipPhone before = phone("first");
        assertEquals(200, register(before, "udp").contactHere("", instance).expires(300).send().getStatusCode());
        SipPhone after = phone("second");

        Response ok = register(after, "udp").contactHere("", instance).expires(300).send();

        assertEquals(1, contacts(ok).size());
        assertEquals(1, rows().of(aor).size());
        assertEquals("urn:uuid:00000000-0000-1000-8000-000A95A0E128", rows().of(aor).get(0).instanceId());
    }

    @Test
    void severalDevicesOfOneUserAreAllListed() {
        SipPhone desk = phone("desk");
        SipPhone mobile = phone("mobile");
        register(desk, "udp").contactHere("", "").expires(300).send();

        Response ok = register(mobile, "tcp")
                .contactHere(";pn-provider=fcm;pn-prid=" + FCM + ";pn-param=proj", "").expires(120).send();

        List<ContactHeader> listed = contacts(ok);
        assertEquals(2, listed.size());
        assertTrue(listed.stream().anyMatch(c -> uriOf(c).contains(":" + desk.port()) && c.getExpires() > 250));
        assertTrue(listed.stream().anyMatch(c -> uriOf(c).contains(":" + mobile.port()) && c.getExpires() <= 120));
    }

    @Test
    void refreshKeepsOneBindingAndQueryListsIt() {
        SipPhone phone = phone("refresher");
        register(phone, "udp").contactHere("", "").expires(300).send();
        register(phone, "udp").contactHere("", "").expires(900).send();

        Response query = register(phone, "udp").send();  // no Contact: list the bindings

        assertEquals(200, query.getStatusCode());
        List<ContactHeader> listed = contacts(query);
        assertEquals(1, listed.size());
        assertTrue(listed.get(0).getExpires() > 890, "refreshed expiry " + listed.get(0).getExpires());
        assertEquals(1, rows().of(aor).size());
    }

    @Test
    void expiresZeroRemovesOneContactOnly() {
        SipPhone a = phone("a");
        SipPhone b = phone("b");
        register(a, "udp").contactHere("", "").expires(300).send();
        register(b, "udp").contactHere("", "").expires(300).send();

        Response ok = register(a, "udp").contactHere("", ";expires=0").send();

        assertEquals(200, ok.getStatusCode());
        List<ContactHeader> listed = contacts(ok);
        assertEquals(1, listed.size());
        assertTrue(uriOf(listed.get(0)).contains(":" + b.port()));
        assertEquals(1, rows().of(aor).size());
    }

    @Test
    void wildcardRemovesEveryBinding() {
        SipPhone a = phone("a");
        SipPhone b = phone("b");
        register(a, "udp").contactHere("", "").expires(300).send();
        register(b, "tcp").contactHere(";pn-provider=fcm;pn-prid=" + FCM + ";pn-param=proj", "").expires(300).send();

        Response ok = register(a, "udp").contact("*").expires(0).send();

        assertEquals(200, ok.getStatusCode());
        assertTrue(contacts(ok).isEmpty());
        assertTrue(rows().of(aor).isEmpty());
    }

    @Test
    void wildcardWithoutExpiresZeroIsRefused() {
        SipPhone a = phone("a");
        register(a, "udp").contactHere("", "").expires(300).send();

        Response refused = register(a, "udp").contact("*").expires(300).send();

        assertEquals(400, refused.getStatusCode());
        assertEquals(1, rows().of(aor).size());
    }

    @Test
    void tooShortExpiryGets423WithMinExpires() {
        SipPhone phone = phone("brief");

        Response brief = register(phone, "udp").contactHere("", "").expires(1).send();

        assertEquals(423, brief.getStatusCode());
        MinExpiresHeader min = (MinExpiresHeader) brief.getHeader(MinExpiresHeader.NAME);
        assertNotNull(min);
        assertEquals(2, min.getExpires());
        assertTrue(rows().of(aor).isEmpty());
    }

    @Test
    void tooLongExpiryIsShortenedToTheMaximum() {
        SipPhone phone = phone("long");

        Response ok = register(phone, "udp").contactHere("", "").expires(10_000_000).send();

        assertEquals(200, ok.getStatusCode());
        assertEquals(86400, contacts(ok).get(0).getExpires(), 1);
    }

    @Test
    void expiredBindingsStopCountingAndArePurged() {
        SipPhone shortLived = phone("short");
        SipPhone longLived = phone("long");
        register(shortLived, "udp").contactHere("", "").expires(2).send();
        register(longLived, "udp").contactHere("", "").expires(300).send();

        // wait on the event itself: the query stops listing the short binding once it has expired
        Response query = Awaits.until(() -> register(longLived, "udp").send(), r -> contacts(r).size() == 1,
                java.time.Duration.ofSeconds(10));

        assertTrue(uriOf(contacts(query).get(0)).contains(":" + longLived.port()));
        register(longLived, "udp").contactHere("", "").expires(300).send();  // a change purges the expired row
        assertEquals(1, rows().of(aor).size());
    }

    @Test
    void bothAllowFlagsFalseTurnsPushOff() {
        SipPhone phone = phone("quiet");
        String uid = "device-os=ios;device-uid=" + VOIP + "|" + APNS + ";app-id=com.example.phone";
        register(phone, "udp").contactHere("", "").header("X-Push", uid).expires(300).send();

        Response ok = register(phone, "udp").contactHere("", "")
                .header("X-Push", uid + ";allow-call-push=false;allow-message-push=false").expires(300).send();

        assertEquals(200, ok.getStatusCode());
        Row row = rows().of(aor).get(0);
        assertFalse(row.callPush());
        assertFalse(row.messagePush());
    }

    @Test
    void outOfOrderCseqIsRefusedAndChangesNothing() {
        SipPhone phone = phone("ordered");
        register(phone, "udp").contactHere("", "").expires(300).cseq(10).send();
        List<Row> before = rows().of(aor);

        Response stale = register(phone, "udp").contactHere("", ";expires=0").cseq(9).send();

        assertEquals(400, stale.getStatusCode());
        assertEquals(before, rows().of(aor));
    }

    @Test
    void anotherDomainIsForbidden() {
        SipPhone phone = phone("stranger");
        Response forbidden = phone.register("sip:bob@elsewhere.example", Deployments.sipPort(), "udp")
                .contactHere("", "").expires(300).send();

        assertEquals(403, forbidden.getStatusCode());
        assertTrue(rows().of("sip:bob@elsewhere.example").isEmpty());
    }

    // ---------------------------------------------------------------- bad input loses nothing

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "X-Push|device-os=blackberry;device-uid=abc;app-id=com.example.phone|device-os",
            "X-Push|device-os=ios;device-uid=;app-id=com.example.phone|device-uid",
            "X-Push|device-os=ios;device-uid=zz-not-hex;app-id=com.example.phone|hex",
            "X-Push|device-os=ios;device-os=android;device-uid=abcd;app-id=com.example.phone|duplicate",
            "X-Push|device-os=android;device-uid=abc;allow-call-push=maybe;app-id=com.example.phone|allow-call-push",
            "Contact|;pn-provider=apns;pn-param=ABCDE12345.com.example.phone.voip|pn-prid",
            "Contact|;pn-prid=abcd|pn-provider",
            "Contact|;pn-provider=fcm;pn-prid=tok|pn-param",
            "Contact|;pn-provider=apns;pn-prid=%C3%A9%C3%A9;pn-param=ABCDE12345.com.example.phone.voip|pn-prid",
    })
    void malformedPushParametersGet400AndKeepEarlierBindings(String testCase) {
        String[] parts = testCase.split("\\|");
        SipPhone phone = phone("bad");
        register(phone, "udp").contactHere(";pn-provider=fcm;pn-prid=" + FCM + ";pn-param=proj", "").expires(300).send();
        List<Row> before = rows().of(aor);

        SipPhone.Registration bad = register(phone, "udp");
        if (parts[0].equals("X-Push")) {
            bad.contactHere("", "").header("X-Push", parts[1]);
        } else {
            bad.contactHere(parts[1], "");
        }
        Response refused = bad.expires(300).send();

        assertEquals(400, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().toLowerCase().contains(parts[2].toLowerCase()),
                "reason names what was wrong: " + refused.getReasonPhrase());
        assertNotNull(refused.getHeader("Warning"));
        assertEquals(before, rows().of(aor));
    }

    @Test
    void oversizedTokenGets400AndKeepsEarlierBindings() {
        SipPhone phone = phone("big");
        register(phone, "udp").contactHere("", "").expires(300).send();
        List<Row> before = rows().of(aor);

        Response refused = register(phone, "tcp").contactHere("", "")
                .header("X-Push", "device-os=android;device-uid=" + "A".repeat(3000) + ";app-id=com.example.phone")
                .expires(300).send();

        assertEquals(400, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().contains("1024"), refused.getReasonPhrase());
        assertEquals(before, rows().of(aor));
    }

    @Test
    void unsupportedPushServiceGets555AndKeepsEarlierBindings() {
        SipPhone phone = phone("webpush");
        register(phone, "udp").contactHere("", "").expires(300).send();
        List<Row> before = rows().of(aor);

        Response refused = register(phone, "udp")
                .contactHere(";pn-provider=webpush;pn-prid=https%3A%2F%2Fpush.example%2Fx;pn-param=p", "").expires(300).send();

        assertEquals(555, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().contains("webpush"), refused.getReasonPhrase());
        assertEquals(before, rows().of(aor));
    }
}
