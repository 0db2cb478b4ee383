package org.sippush.interfaces.sip.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.sippush.interfaces.sip.push.PushParametersTest.APNS;
import static org.sippush.interfaces.sip.push.PushParametersTest.FCM;
import static org.sippush.interfaces.sip.push.PushParametersTest.VOIP;
import static org.sippush.interfaces.sip.push.PushParametersTest.assertRejected;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

class XPushHeaderParserTest {

    private static final String APP = ";app-id=com.example.phone";
    private static final String IOS = "device-os=ios;device-uid=";
    private static final String ANDROID = "device-os=android;device-uid=";

    private static PushSettings ios(String call, String message, boolean callPush, boolean messagePush) {
        return new PushSettings(PushProvider.APNS, call, message, "com.example.phone", null, callPush, messagePush);
    }

    private static PushSettings android(String token, boolean callPush, boolean messagePush) {
        return new PushSettings(PushProvider.FCM, token, token, "com.example.phone", null, callPush, messagePush);
    }

    static Stream<Arguments> valid() {
        String hex1024 = "ab".repeat(512);
        String printable1024 = "x".repeat(1023) + "~";
        return Stream.of(
                Arguments.of("PortSIP iOS example",
                        IOS + VOIP + "|" + APNS + ";allow-call-push=true;allow-message-push=true" + APP,
                        ios(VOIP, APNS, true, true)),
                Arguments.of("iOS with a single token", IOS + VOIP + APP, ios(VOIP, VOIP, true, true)),
                Arguments.of("Android", ANDROID + FCM + APP, android(FCM, true, true)),
                Arguments.of("Android token with a pipe is one token", ANDROID + "abc|def" + APP,
                        android("abc|def", true, true)),
                Arguments.of("flags absent default to true", IOS + VOIP + "|" + APNS + APP, ios(VOIP, APNS, true, true)),
                Arguments.of("both flags false turn push off",
                        IOS + VOIP + "|" + APNS + ";allow-call-push=false;allow-message-push=false" + APP,
                        ios(VOIP, APNS, false, false)),
                Arguments.of("calls only", ANDROID + FCM + ";allow-message-push=false" + APP, android(FCM, true, false)),
                Arguments.of("messages only", ANDROID + FCM + ";allow-call-push=false" + APP, android(FCM, false, true)),
                Arguments.of("names and keywords in any case",
                        "Device-OS=IOS;DEVICE-UID=" + VOIP + ";Allow-Call-Push=FALSE;ALLOW-MESSAGE-PUSH=True;APP-ID=com.example.phone",
                        ios(VOIP, VOIP, false, true)),
                Arguments.of("APNs tokens are stored in lower case", IOS + VOIP.toUpperCase() + "|" + APNS.toUpperCase() + APP,
                        ios(VOIP, APNS, true, true)),
                Arguments.of("spaces around fields", " device-os = android ; device-uid = " + FCM + " ; app-id = com.example.phone ",
                        android(FCM, true, true)),
                Arguments.of("empty segments", ";;" + ANDROID + FCM + ";;" + APP + ";", android(FCM, true, true)),
                Arguments.of("any order", "app-id=com.example.phone;allow-call-push=true;device-uid=" + FCM + ";device-os=android",
                        android(FCM, true, true)),
                Arguments.of("unknown fields are ignored, even twice or without value",
                        ANDROID + FCM + ";x-push-version=2;x-push-version=3;push-server=" + APP, android(FCM, true, true)),
                Arguments.of("value holding '='", ANDROID + "abc==" + APP, android("abc==", true, true)),
                Arguments.of("token of exactly 1024 hex digits", IOS + hex1024 + APP, ios(hex1024, hex1024, true, true)),
                Arguments.of("token of exactly 1024 characters", ANDROID + printable1024 + APP,
                        android(printable1024, true, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parses(String description, String header, PushSettings expected) throws PushParameterException {
        PushSettings settings = XPushHeaderParser.parse(header);
        assertEquals(expected, settings);
        assertEquals(expected.callPushAllowed() || expected.messagePushAllowed(), settings.pushEnabled());
    }

    static Stream<Arguments> invalid() {
        String tooLong = "a".repeat(1025);
        return Stream.of(
                Arguments.of("empty header", "", "missing device-os"),
                Arguments.of("blank header", " ; ;", "missing device-os"),
                Arguments.of("cut after device-os", "device-os=ios", "missing device-uid"),
                Arguments.of("cut after 'device-uid='", "device-os=ios;device-uid=", "empty device-uid"),
                Arguments.of("cut mid field name", "device-os=ios;device-ui", "'device-ui' has no '='"),
                Arguments.of("cut mid app-id name", IOS + VOIP + ";app-", "'app-' has no '='"),
                Arguments.of("segment without '='", ANDROID + FCM + ";push" + APP, "'push' has no '='"),
                Arguments.of("missing app-id", IOS + VOIP + "|" + APNS, "missing app-id"),
                Arguments.of("empty app-id", IOS + VOIP + ";app-id=", "empty app-id"),
                Arguments.of("missing device-os", "device-uid=" + FCM + APP, "missing device-os"),
                Arguments.of("empty device-os", "device-os=;device-uid=" + FCM + APP, "empty device-os"),
                Arguments.of("unknown device-os", "device-os=blackberry;device-uid=" + FCM + APP,
                        "X-Push: unknown device-os 'blackberry'"),
                Arguments.of("non-ASCII device-os", "device-os=i\u00f6s;device-uid=" + FCM + APP, "unknown device-os 'i?s'"),
                Arguments.of("CR LF in device-os", "device-os=ios\r\nVia: x;device-uid=" + FCM + APP, "unknown device-os"),
                Arguments.of("duplicate device-uid", IOS + VOIP + ";device-uid=" + APNS + APP, "duplicate field device-uid"),
                Arguments.of("duplicate device-os in another case", "device-os=ios;Device-OS=android;device-uid=" + VOIP + APP,
                        "duplicate field device-os"),
                Arguments.of("duplicate app-id", ANDROID + FCM + APP + APP, "duplicate field app-id"),
                Arguments.of("duplicate allow flag", ANDROID + FCM + ";allow-call-push=true;allow-call-push=true" + APP,
                        "duplicate field allow-call-push"),
                Arguments.of("allow-call-push not boolean", ANDROID + FCM + ";allow-call-push=yes" + APP,
                        "allow-call-push must be true or false, was 'yes'"),
                Arguments.of("allow-message-push empty", ANDROID + FCM + ";allow-message-push=" + APP,
                        "allow-message-push must be true or false"),
                Arguments.of("allow-call-push numeric", ANDROID + FCM + ";allow-call-push=1" + APP, "allow-call-push"),
                Arguments.of("oversized Android token", ANDROID + tooLong + APP,
                        "device-uid: token longer than 1024 characters"),
                Arguments.of("oversized VoIP token", IOS + "b".repeat(1025) + "|" + APNS + APP,
                        "device-uid VoIP token: token longer than 1024"),
                Arguments.of("oversized APNs token", IOS + VOIP + "|" + "c".repeat(1025) + APP,
                        "device-uid APNs token: token longer than 1024"),
                Arguments.of("non-ASCII token", ANDROID + "abc\u00e9def" + APP, "device-uid: token has a space, control or non-ASCII"),
                Arguments.of("NUL in token", ANDROID + "abc\0def" + APP, "device-uid: token has a space, control or non-ASCII"),
                Arguments.of("NUL ending the token", ANDROID + "abcdef\0" + APP, "device-uid: token has a space"),
                Arguments.of("space in token", ANDROID + "abc def" + APP, "device-uid: token has a space"),
                Arguments.of("comma in token", ANDROID + "abc,def" + APP, "device-uid: token has a forbidden character"),
                Arguments.of("quote in token", ANDROID + "abc\"def" + APP, "device-uid: token has a forbidden character"),
                Arguments.of("angle bracket in token", ANDROID + "abc>def" + APP, "device-uid: token has a forbidden character"),
                Arguments.of("iOS token not hex", IOS + "zz" + VOIP + APP, "device-uid: APNs token must be hexadecimal"),
                Arguments.of("iOS second token not hex", IOS + VOIP + "|" + FCM + APP,
                        "device-uid APNs token: APNs token must be hexadecimal"),
                Arguments.of("iOS pair cut after the pipe", IOS + VOIP + "|" + APP, "device-uid APNs token: empty token"),
                Arguments.of("iOS pair without VoIP token", IOS + "|" + APNS + APP, "device-uid VoIP token: empty token"),
                Arguments.of("iOS three tokens", IOS + VOIP + "|" + APNS + "|" + APNS + APP, "device-uid: more than two tokens"),
                Arguments.of("app-id with a slash", ANDROID + FCM + ";app-id=com/example", "app-id: app id 'com/example'"),
                Arguments.of("app-id with non-ASCII", ANDROID + FCM + ";app-id=com.exampl\u00e9", "app-id: app id 'com.exampl?'"),
                Arguments.of("app-id with an empty label", ANDROID + FCM + ";app-id=com..example", "app-id: app id 'com..example'"),
                Arguments.of("oversized app-id", ANDROID + FCM + ";app-id=" + "a".repeat(256), "app-id: app id longer than 255"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String description, String header, String fragment) {
        assertRejected(() -> XPushHeaderParser.parse(header), header, 400, fragment);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            ios,     APNS
            IOS,     APNS
            iOS,     APNS
            android, FCM
            Android, FCM
            """)
    void mapsDeviceOsToProvider(String os, PushProvider provider) throws PushParameterException {
        String token = provider == PushProvider.FCM ? FCM : VOIP;
        assertEquals(provider, XPushHeaderParser.parse("device-os=" + os + ";device-uid=" + token + APP).provider());
    }

    @Test
    void x_pushCarriesNoPnParam() throws PushParameterException {
        assertEquals(null, XPushHeaderParser.parse(ANDROID + FCM + APP).param());
    }

    @Test
    void anAppIdOf255CharactersIsAccepted() throws PushParameterException {
        String appId = "a".repeat(255);
        assertEquals(appId, XPushHeaderParser.parse(ANDROID + FCM + ";app-id=" + appId).appId());
    }

    @Test
    void theReasonNeverHoldsTheToken() {
        PushParameterException e = assertRejected(() -> XPushHeaderParser.parse(IOS + VOIP + "x" + APP),
                IOS + VOIP + "x" + APP, 400, "device-uid");
        assertFalse(e.reason().contains(VOIP.substring(0, 7)), e.reason());
    }
}
