package org.sippush.interfaces.sip.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sippush.interfaces.sip.push.PushParametersTest.APNS;
import static org.sippush.interfaces.sip.push.PushParametersTest.FCM;
import static org.sippush.interfaces.sip.push.PushParametersTest.VOIP;
import static org.sippush.interfaces.sip.push.PushParametersTest.assertRejected;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

class Rfc8599ParserTest {

    private static final String HOST = "sip:101@10.0.0.5:5060;transport=udp";
    private static final String PARAM = "ABCD123456.com.example.phone.voip";

    private static String apns(String prid, String param) {
        return HOST + ";pn-provider=apns;pn-prid=" + prid + ";pn-param=" + param;
    }

    private static PushSettings apnsSettings(String call, String message, String param) {
        return new PushSettings(PushProvider.APNS, call, message, "com.example.phone", param, true, true);
    }

    static Stream<Arguments> valid() {
        String hex1024 = "0f".repeat(512);
        return Stream.of(
                Arguments.of("APNs VoIP", apns(VOIP, PARAM), apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("apns.dev is the sandbox",
                        HOST + ";pn-provider=apns.dev;pn-prid=" + VOIP + ";pn-param=" + PARAM,
                        new PushSettings(PushProvider.APNS_SANDBOX, VOIP, VOIP, "com.example.phone", PARAM, true, true)),
                Arguments.of("FCM: pn-param is the project id, the token keeps its colon",
                        HOST + ";pn-provider=fcm;pn-prid=" + FCM + ";pn-param=my-project-1234",
                        new PushSettings(PushProvider.FCM, FCM, FCM, "my-project-1234", "my-project-1234", true, true)),
                Arguments.of("Linphone voip&remote pair",
                        apns(VOIP + ":voip&" + APNS + ":remote", "ABCD123456.com.example.phone.voip&remote"),
                        apnsSettings(VOIP, APNS, "ABCD123456.com.example.phone.voip&remote")),
                Arguments.of("Linphone remote&voip pair",
                        apns(APNS + ":remote&" + VOIP + ":voip", "ABCD123456.com.example.phone.remote&voip"),
                        apnsSettings(VOIP, APNS, "ABCD123456.com.example.phone.remote&voip")),
                Arguments.of("only a voip token", apns(VOIP + ":voip", PARAM), apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("only a remote token", apns(APNS + ":remote", "ABCD123456.com.example.phone.remote"),
                        apnsSettings(APNS, APNS, "ABCD123456.com.example.phone.remote")),
                Arguments.of("service suffixes in any case", apns(VOIP + ":VOIP&" + APNS + ":Remote", PARAM),
                        apnsSettings(VOIP, APNS, PARAM)),
                Arguments.of("percent-escaped pair", apns(VOIP + "%3Avoip%26" + APNS + "%3aremote", PARAM),
                        apnsSettings(VOIP, APNS, PARAM)),
                Arguments.of("percent-escaped token characters", apns("%66%65" + VOIP.substring(2), PARAM),
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("percent-escaped pn-param", apns(VOIP, "ABCD123456%2Ecom.example.phone.voip"),
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("pn-param without services", apns(VOIP, "ABCD123456.com.example.phone"),
                        apnsSettings(VOIP, VOIP, "ABCD123456.com.example.phone")),
                Arguments.of("pn-param with &remote glued to the bundle id", apns(VOIP, "ABCD123456.com.example.phone&remote"),
                        apnsSettings(VOIP, VOIP, "ABCD123456.com.example.phone&remote")),
                Arguments.of("one-label bundle id", apns(VOIP, "ABCD123456.phone.voip"),
                        new PushSettings(PushProvider.APNS, VOIP, VOIP, "phone", "ABCD123456.phone.voip", true, true)),
                Arguments.of("names and provider in any case",
                        HOST + ";PN-PROVIDER=APNS;Pn-Prid=" + VOIP + ";PN-param=" + PARAM, apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("APNs tokens are stored in lower case", apns(VOIP.toUpperCase(), PARAM),
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("parameters in any order among others",
                        "sip:101@10.0.0.5;pn-param=" + PARAM + ";lr;transport=tcp;pn-prid=" + VOIP + ";ob;pn-provider=apns",
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("a duplicated parameter this server does not read",
                        apns(VOIP, PARAM) + ";transport=tcp", apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("wrapped in angle brackets with header parameters",
                        "\"Bob\" <" + apns(VOIP, PARAM) + ">;expires=3600;+sip.instance=\"<urn:uuid:1>\";pn-prid=x",
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("URI headers are not parameters", apns(VOIP, PARAM) + "?pn-prid=" + APNS,
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("user part holding ';' before the '@'",
                        "sip:+4930123;pn-prid=nothere@10.0.0.5;pn-provider=apns;pn-prid=" + VOIP + ";pn-param=" + PARAM,
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("sips and IPv6", "sips:101@[2001:db8::5]:5061;pn-provider=apns;pn-prid=" + VOIP + ";pn-param=" + PARAM,
                        apnsSettings(VOIP, VOIP, PARAM)),
                Arguments.of("token of exactly 1024 hex digits", apns(hex1024, PARAM), apnsSettings(hex1024, hex1024, PARAM)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parses(String description, String contact, PushSettings expected) throws PushParameterException {
        assertEquals(Optional.of(expected), Rfc8599Parser.parse(contact));
        assertTrue(expected.pushEnabled());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "sip:101@10.0.0.5:5060;transport=udp",
            "sip:101@10.0.0.5",
            "<sip:101@10.0.0.5>;pn-provider=apns;pn-prid=abc",
            "sip:101@10.0.0.5?pn-provider=apns&pn-prid=abc",
            "sip:101;pn-provider=apns@10.0.0.5",
            "sip:101@10.0.0.5;pn-type=apple;app-id=com.example.phone.prod;pn-tok=abcdef",
            "sip:101@10.0.0.5;pn-purr=abc;pn-provid=apns"})
    void withoutRfc8599ParametersGivesNothing(String contact) throws PushParameterException {
        assertEquals(Optional.empty(), Rfc8599Parser.parse(contact));
    }

    static Stream<Arguments> invalid() {
        String fcm = HOST + ";pn-provider=fcm;pn-param=my-project;pn-prid=";
        return Stream.of(
                Arguments.of("webpush", HOST + ";pn-provider=webpush;pn-prid=abc;pn-param=x", 555,
                        "pn-provider 'webpush' not supported"),
                Arguments.of("webpush without other parameters", HOST + ";pn-provider=webpush", 555, "'webpush'"),
                Arguments.of("unknown provider", HOST + ";pn-provider=hms;pn-prid=abc;pn-param=x", 555, "pn-provider 'hms'"),
                Arguments.of("non-ASCII provider", HOST + ";pn-provider=apn\u00e9;pn-prid=abc;pn-param=x", 555,
                        "pn-provider 'apn?' not supported"),
                Arguments.of("empty provider", HOST + ";pn-provider=;pn-prid=" + VOIP + ";pn-param=" + PARAM, 400,
                        "pn-provider: empty value"),
                Arguments.of("provider without value", HOST + ";pn-provider;pn-prid=" + VOIP, 400, "pn-provider"),
                Arguments.of("pn-prid without pn-provider", HOST + ";pn-prid=" + VOIP + ";pn-param=" + PARAM, 400,
                        "pn-prid without pn-provider"),
                Arguments.of("pn-param without pn-provider", HOST + ";pn-param=" + PARAM, 400, "pn-param without pn-provider"),
                Arguments.of("missing pn-prid", HOST + ";pn-provider=apns;pn-param=" + PARAM, 400, "missing parameter pn-prid"),
                Arguments.of("URI cut mid parameter name", HOST + ";pn-param=" + PARAM + ";pn-provider=apns;pn-pr", 400,
                        "missing parameter pn-prid"),
                Arguments.of("URI cut after 'pn-prid='", HOST + ";pn-param=" + PARAM + ";pn-provider=apns;pn-prid=", 400,
                        "pn-prid: empty token"),
                Arguments.of("pn-prid without value", HOST + ";pn-param=" + PARAM + ";pn-provider=apns;pn-prid", 400,
                        "pn-prid: empty token"),
                Arguments.of("missing pn-param for APNs", HOST + ";pn-provider=apns;pn-prid=" + VOIP, 400,
                        "missing parameter pn-param"),
                Arguments.of("missing pn-param for FCM", HOST + ";pn-provider=fcm;pn-prid=" + FCM, 400,
                        "missing parameter pn-param"),
                Arguments.of("empty pn-param", apns(VOIP, ""), 400, "pn-param: empty value"),
                Arguments.of("pn-param with only a Team ID", apns(VOIP, "ABCD123456"), 400, "pn-param: expected TeamID"),
                Arguments.of("pn-param with no bundle id", apns(VOIP, "ABCD123456.voip"), 400, "pn-param: no bundle id"),
                Arguments.of("pn-param with an empty Team ID", apns(VOIP, ".com.example.phone.voip"), 400, "pn-param: Team ID ''"),
                Arguments.of("pn-param with an odd Team ID", apns(VOIP, "AB-12.com.example.phone.voip"), 400,
                        "pn-param: Team ID 'AB-12'"),
                Arguments.of("pn-param with an unknown service", apns(VOIP, "ABCD123456.com.example.phone.voip&alert"), 400,
                        "pn-param: unknown push service 'alert'"),
                Arguments.of("pn-param cut after '&'", apns(VOIP, "ABCD123456.com.example.phone.voip&"), 400,
                        "pn-param: unknown push service ''"),
                Arguments.of("pn-param with an empty label", apns(VOIP, "ABCD123456.com..phone.voip"), 400,
                        "pn-param bundle id: app id 'com..phone' has an empty label"),
                Arguments.of("pn-param cut after a dot", apns(VOIP, "ABCD123456.com.example."), 400, "pn-param bundle id"),
                Arguments.of("pn-param bundle id with a slash", apns(VOIP, "ABCD123456.com/example.voip"), 400,
                        "pn-param bundle id: app id 'com/example'"),
                Arguments.of("FCM project id with a bad character", HOST + ";pn-provider=fcm;pn-prid=" + FCM + ";pn-param=my/project",
                        400, "pn-param: app id 'my/project'"),
                Arguments.of("duplicate pn-prid", apns(VOIP, PARAM) + ";pn-prid=" + APNS, 400, "duplicate parameter pn-prid"),
                Arguments.of("duplicate pn-provider in another case", apns(VOIP, PARAM) + ";PN-Provider=apns", 400,
                        "duplicate parameter pn-provider"),
                Arguments.of("duplicate pn-param", apns(VOIP, PARAM) + ";pn-param=" + PARAM, 400, "duplicate parameter pn-param"),
                Arguments.of("duplicate empty pn-prid", apns(VOIP, PARAM) + ";pn-prid", 400, "duplicate parameter pn-prid"),
                Arguments.of("oversized token", fcm + "a".repeat(1025), 400, "pn-prid: token longer than 1024 characters"),
                Arguments.of("oversized APNs token", apns("a".repeat(1025), PARAM), 400, "pn-prid: token longer than 1024"),
                Arguments.of("oversized voip token of a pair", apns("a".repeat(1025) + ":voip&" + APNS + ":remote", PARAM), 400,
                        "pn-prid voip token: token longer than 1024"),
                Arguments.of("APNs token not hex", apns(FCM, PARAM), 400, "pn-prid: APNs token must be hexadecimal"),
                Arguments.of("remote token not hex", apns(VOIP + ":voip&xyz" + APNS + ":remote", PARAM), 400,
                        "pn-prid remote token: APNs token must be hexadecimal"),
                Arguments.of("non-ASCII token", fcm + "abc\u00e9def", 400, "pn-prid: token has a space, control or non-ASCII"),
                Arguments.of("escaped non-ASCII token", fcm + "abc%C3%A9def", 400, "pn-prid: token has a space, control or non-ASCII"),
                Arguments.of("escaped NUL in token", fcm + "abc%00def", 400, "pn-prid: token has a space, control or non-ASCII"),
                Arguments.of("raw NUL in token", fcm + "abc\0def", 400, "pn-prid: token has a space, control or non-ASCII"),
                Arguments.of("escaped space in token", fcm + "abc%20def", 400, "pn-prid: token has a space"),
                Arguments.of("escaped semicolon in token", fcm + "abc%3Bdef", 400, "pn-prid: token has a forbidden character"),
                Arguments.of("escaped quote in token", fcm + "abc%22def", 400, "pn-prid: token has a forbidden character"),
                Arguments.of("malformed escape", fcm + "abc%G1def", 400, "pn-prid: malformed percent-escape at offset 3"),
                Arguments.of("escape cut short", fcm + "abcdef%4", 400, "pn-prid: malformed percent-escape at offset 6"),
                Arguments.of("lone percent", fcm + "%", 400, "pn-prid: malformed percent-escape"),
                Arguments.of("two tokens, one untyped", apns(VOIP + "&" + APNS + ":remote", PARAM), 400,
                        "pn-prid: with several tokens, each needs a :voip or :remote suffix"),
                Arguments.of("pair cut after '&'", apns(VOIP + ":voip&", PARAM), 400, "pn-prid: with several tokens"),
                Arguments.of("two voip tokens", apns(VOIP + ":voip&" + APNS + ":voip", PARAM), 400, "pn-prid: two :voip tokens"),
                Arguments.of("two remote tokens", apns(VOIP + ":remote&" + APNS + ":remote", PARAM), 400,
                        "pn-prid: two :remote tokens"),
                Arguments.of("typed token without token", apns(":voip", PARAM), 400, "pn-prid voip token: empty token"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String description, String contact, int status, String fragment) {
        assertRejected(() -> Rfc8599Parser.parse(contact), contact, status, fragment);
    }
}
