package org.sippush.interfaces.sip.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

/**
 * The facade: which dialect wins, and what a REGISTER without push parameters gives. Also holds the
 * tokens and the rejection assertion the other parser tests of this package share.
 */
class PushParametersTest {

    /** A PushKit VoIP token: 32 bytes in hex. */
    static final String VOIP = "fe1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcded";
    /** An ordinary APNs token of the same device. */
    static final String APNS = "9a0c11223344556677889900aabbccddeeff00112233445566778899aabbccdd";
    /** An FCM registration token: note the colon, which is part of it. */
    static final String FCM = "dXk3F9aQR0e-k_Lw:APA91bH-x_yZ0123456789abcdefGHIJKLmnopQRSTuvwxYZ";

    static final String X_PUSH_IOS =
            "device-os=ios;device-uid=" + VOIP + "|" + APNS + ";allow-call-push=true;allow-message-push=true;app-id=com.example.phone";
    static final String RFC8599_CONTACT =
            "sip:101@10.0.0.5:5060;transport=udp;pn-provider=apns;pn-prid=" + VOIP + ";pn-param=ABCD123456.com.example.rfc.voip";
    static final String LEGACY_CONTACT =
            "sip:101@10.0.0.5:5060;transport=udp;pn-type=google;app-id=com.example.legacy;pn-tok=" + FCM;

    /**
     * Asserts that {@code call} is rejected with {@code status}, that the reason names {@code fragment}, is
     * safe for a SIP reason phrase and quotes no more than 20 characters of {@code input}.
     */
    static PushParameterException assertRejected(Executable call, String input, int status, String fragment) {
        PushParameterException e = assertThrows(PushParameterException.class, call);
        String reason = e.reason();
        assertEquals(status, e.status(), () -> "status; reason was: " + reason);
        assertTrue(reason.contains(fragment), () -> "reason '" + reason + "' should mention '" + fragment + "'");
        assertReasonSafe(reason);
        for (int i = 0; i + 21 <= input.length(); i++) {
            String window = input.substring(i, i + 21);
            assertFalse(reason.contains(window), () -> "reason '" + reason + "' repeats input '" + window + "'");
        }
        return e;
    }

    static void assertReasonSafe(String reason) {
        assertFalse(reason.isEmpty(), "empty reason");
        assertTrue(reason.length() <= 160, () -> "reason too long: " + reason);
        for (char c : reason.toCharArray()) {
            assertTrue(PushParameterException.isReasonPhraseChar(c),
                    () -> "reason '" + reason + "' has a character unfit for a reason phrase: " + (int) c);
        }
    }

    static Stream<Arguments> registers() {
        PushSettings xPush = new PushSettings(PushProvider.APNS, VOIP, APNS, "com.example.phone", null, true, true);
        PushSettings rfc = new PushSettings(PushProvider.APNS, VOIP, VOIP, "com.example.rfc",
                "ABCD123456.com.example.rfc.voip", true, true);
        PushSettings legacy = new PushSettings(PushProvider.FCM, FCM, FCM, "com.example.legacy", null, true, true);
        return Stream.of(
                Arguments.of("no push at all", List.of(), "sip:101@10.0.0.5:5060;transport=udp", null),
                Arguments.of("Contact: * (null URI)", List.of(), null, null),
                Arguments.of("X-Push only", List.of(X_PUSH_IOS), "sip:101@10.0.0.5:5060", xPush),
                Arguments.of("X-Push with no contact URI", List.of(X_PUSH_IOS), null, xPush),
                Arguments.of("X-Push wins over RFC 8599", List.of(X_PUSH_IOS), RFC8599_CONTACT, xPush),
                Arguments.of("X-Push wins over invalid contact parameters", List.of(X_PUSH_IOS),
                        "sip:101@10.0.0.5;pn-provider=webpush;pn-prid=x;pn-prid=y", xPush),
                Arguments.of("RFC 8599 only", List.of(), RFC8599_CONTACT, rfc),
                Arguments.of("RFC 8599 wins over legacy", List.of(),
                        RFC8599_CONTACT + ";pn-type=apple;app-id=com.other.prod;pn-tok=" + APNS, rfc),
                Arguments.of("RFC 8599 wins over invalid legacy", List.of(), RFC8599_CONTACT + ";pn-type=nokia", rfc),
                Arguments.of("legacy only", List.of(), LEGACY_CONTACT, legacy),
                Arguments.of("linphonec contact_uri_parameters", List.of(),
                        "sip:bob@127.0.0.1:5070;transport=udp;pn-provider=apns;pn-prid=" + VOIP
                                + ";pn-param=TEAMID.com.example.app.voip",
                        new PushSettings(PushProvider.APNS, VOIP, VOIP, "com.example.app",
                                "TEAMID.com.example.app.voip", true, true)),
                Arguments.of("push turned off", List.of(
                                "device-os=android;device-uid=" + FCM + ";allow-call-push=false;allow-message-push=false;app-id=com.example.phone"),
                        null, new PushSettings(PushProvider.FCM, FCM, FCM, "com.example.phone", null, false, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registers")
    void readsTheDialectThatWins(String description, List<String> headers, String contact, PushSettings expected)
            throws PushParameterException {
        assertEquals(Optional.ofNullable(expected), PushParameters.fromRegister(headers, contact));
    }

    static Stream<Arguments> rejectedRegisters() {
        String android = "device-os=android;device-uid=" + FCM + ";app-id=com.example.phone";
        return Stream.of(
                Arguments.of("two X-Push headers", List.of(X_PUSH_IOS, X_PUSH_IOS), null, 400, "duplicate X-Push header"),
                Arguments.of("two different X-Push headers", List.of(X_PUSH_IOS, android), RFC8599_CONTACT, 400,
                        "duplicate X-Push header"),
                Arguments.of("bad X-Push despite a good contact", List.of("device-os=symbian"), RFC8599_CONTACT, 400,
                        "device-os 'symbian'"),
                Arguments.of("empty X-Push header", List.of(""), RFC8599_CONTACT, 400, "device-os"),
                Arguments.of("webpush", List.of(), "sip:101@10.0.0.5;pn-provider=webpush;pn-prid=abc;pn-param=x", 555,
                        "pn-provider 'webpush' not supported"),
                Arguments.of("unknown legacy type", List.of(), "sip:101@10.0.0.5;pn-type=wns;app-id=a;pn-tok=abc", 555,
                        "pn-type 'wns'"),
                Arguments.of("duplicate RFC 8599 parameter", List.of(), RFC8599_CONTACT + ";pn-prid=" + APNS, 400,
                        "duplicate parameter pn-prid"),
                Arguments.of("legacy token without type", List.of(), "sip:101@10.0.0.5;pn-tok=" + FCM, 400, "pn-tok"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedRegisters")
    void rejects(String description, List<String> headers, String contact, int status, String fragment) {
        String input = String.join("\n", headers) + "\n" + contact;
        assertRejected(() -> PushParameters.fromRegister(headers, contact), input, status, fragment);
    }

    @Test
    void aRefreshFromANewAddressKeepsItsIdentity() throws PushParameterException {
        PushSettings first = PushParameters.fromRegister(List.of(), RFC8599_CONTACT).orElseThrow();
        PushSettings moved = PushParameters.fromRegister(List.of(),
                "sip:101@192.0.2.77:41234;transport=tcp;PN-PARAM=ABCD123456.com.example.rfc.voip;pn-prid="
                        + VOIP.toUpperCase() + ";pn-provider=APNS").orElseThrow();
        assertEquals(first.identityKey(), moved.identityKey());
        assertEquals("apns|com.example.rfc|" + VOIP, moved.identityKey());
    }

    @Test
    void sandboxAndProductionAreDifferentDevices() throws PushParameterException {
        PushSettings production = PushParameters.fromRegister(List.of(), RFC8599_CONTACT).orElseThrow();
        PushSettings sandbox = PushParameters.fromRegister(List.of(),
                RFC8599_CONTACT.replace("pn-provider=apns", "pn-provider=apns.dev")).orElseThrow();
        assertEquals(PushProvider.APNS_SANDBOX, sandbox.provider());
        assertNotEquals(production.identityKey(), sandbox.identityKey());
    }

    @Test
    void theHeaderListIsRequired() {
        assertThrows(NullPointerException.class, () -> PushParameters.fromRegister(null, RFC8599_CONTACT));
    }
}
