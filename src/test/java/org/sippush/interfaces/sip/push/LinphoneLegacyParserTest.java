package org.sippush.interfaces.sip.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sippush.interfaces.sip.push.PushParametersTest.APNS;
import static org.sippush.interfaces.sip.push.PushParametersTest.FCM;
import static org.sippush.interfaces.sip.push.PushParametersTest.VOIP;
import static org.sippush.interfaces.sip.push.PushParametersTest.assertRejected;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

class LinphoneLegacyParserTest {

    private static final String HOST = "sip:bob@192.168.1.20:5060;transport=tcp";

    private static String contact(String type, String appId, String token) {
        return HOST + ";pn-type=" + type + ";app-id=" + appId + ";pn-tok=" + token;
    }

    private static PushSettings settings(PushProvider provider, String token, String appId) {
        return new PushSettings(provider, token, token, appId, null, true, true);
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("apple production", contact("apple", "org.linphone.phone.prod", VOIP),
                        settings(PushProvider.APNS, VOIP, "org.linphone.phone")),
                Arguments.of("apple sandbox", contact("apple", "org.linphone.phone.dev", VOIP),
                        settings(PushProvider.APNS_SANDBOX, VOIP, "org.linphone.phone")),
                Arguments.of("apple without suffix is production", contact("apple", "org.linphone.phone", APNS),
                        settings(PushProvider.APNS, APNS, "org.linphone.phone")),
                Arguments.of("apple VoIP app id: the bundle id remains", contact("apple", "org.linphone.phone.voip.prod", VOIP),
                        settings(PushProvider.APNS, VOIP, "org.linphone.phone")),
                Arguments.of("apple VoIP sandbox", contact("apple", "org.linphone.phone.voip.dev", VOIP),
                        settings(PushProvider.APNS_SANDBOX, VOIP, "org.linphone.phone")),
                Arguments.of("google", contact("google", "com.example.phone", FCM),
                        settings(PushProvider.FCM, FCM, "com.example.phone")),
                Arguments.of("firebase", contact("firebase", "com.example.phone", FCM),
                        settings(PushProvider.FCM, FCM, "com.example.phone")),
                Arguments.of("firebase .dev suffix is stripped, still FCM", contact("firebase", "com.example.phone.dev", FCM),
                        settings(PushProvider.FCM, FCM, "com.example.phone")),
                Arguments.of("google keeps a .voip label", contact("google", "com.example.voip", FCM),
                        settings(PushProvider.FCM, FCM, "com.example.voip")),
                Arguments.of("numeric sender id as app id", contact("google", "929724111839", FCM),
                        settings(PushProvider.FCM, FCM, "929724111839")),
                Arguments.of("names, type and suffix in any case",
                        HOST + ";PN-TYPE=Apple;App-Id=org.linphone.phone.DEV;Pn-Tok=" + VOIP.toUpperCase(),
                        settings(PushProvider.APNS_SANDBOX, VOIP, "org.linphone.phone")),
                Arguments.of("other legacy parameters are ignored",
                        contact("apple", "org.linphone.phone.prod", VOIP)
                                + ";pn-msg-str=IM_MSG;pn-call-str=IC_MSG;pn-groupchat-str=GC_MSG;pn-silent=1;pn-timeout=0",
                        settings(PushProvider.APNS, VOIP, "org.linphone.phone")),
                Arguments.of("percent-escaped token", contact("google", "com.example.phone", FCM.replace(":", "%3A")),
                        settings(PushProvider.FCM, FCM, "com.example.phone")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parses(String description, String contact, PushSettings expected) throws PushParameterException {
        assertEquals(Optional.of(expected), LinphoneLegacyParser.parse(contact));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            HOST,
            HOST + ";app-id=org.linphone.phone.prod",
            "sip:bob@192.168.1.20?pn-type=apple&pn-tok=abc",
            "sip:bob@192.168.1.20;pn-provider=apns;pn-prid=abcdef;pn-param=ABCD.org.linphone.phone.voip",
            "sip:bob@192.168.1.20;pn-msg-str=IM_MSG"})
    void withoutLegacyParametersGivesNothing(String contact) throws PushParameterException {
        assertEquals(Optional.empty(), LinphoneLegacyParser.parse(contact));
    }

    @ParameterizedTest(name = "[{index}] {4}")
    @CsvSource(delimiter = '|', textBlock = """
            microsoft | org.linphone.phone | abcdef | 555 | pn-type 'microsoft' not supported
            wp        | org.linphone.phone | abcdef | 555 | pn-type 'wp' not supported
            ''        | org.linphone.phone | abcdef | 400 | pn-type: empty value
            apple     | ''                 | abcdef | 400 | app-id: empty app id
            apple     | .dev               | abcdef | 400 | app-id: empty app id
            apple     | .voip.prod         | abcdef | 400 | app-id: empty app id
            apple     | org..linphone.prod | abcdef | 400 | app-id: app id 'org..linphone' has an empty label
            apple     | org/linphone       | abcdef | 400 | app-id: app id 'org/linphone'
            apple     | org.linphone.prod  | ''     | 400 | pn-tok: empty token
            apple     | org.linphone.prod  | abcxyz | 400 | pn-tok: APNs token must be hexadecimal
            apple     | org.linphone.prod  | ab%2    | 400 | pn-tok: malformed percent-escape
            google    | com.example        | ab%3Ccd | 400 | pn-tok: token has a forbidden character
            google    | com.example        | ab%0Acd | 400 | pn-tok: token has a space, control or non-ASCII
            google    | com.example        | abé     | 400 | pn-tok: token has a space, control or non-ASCII
            """)
    void rejectsBadValues(String type, String appId, String token, int status, String fragment) {
        String contact = contact(type, appId, token);
        assertRejected(() -> LinphoneLegacyParser.parse(contact), contact, status, fragment);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("pn-tok without pn-type", HOST + ";app-id=com.example;pn-tok=" + FCM, 400, "pn-tok without pn-type"),
                Arguments.of("missing app-id", HOST + ";pn-type=google;pn-tok=" + FCM, 400, "missing parameter app-id"),
                Arguments.of("missing pn-tok", HOST + ";pn-type=google;app-id=com.example", 400, "missing parameter pn-tok"),
                Arguments.of("URI cut mid parameter name", HOST + ";pn-type=google;app-id=com.example;pn-t", 400,
                        "missing parameter pn-tok"),
                Arguments.of("pn-tok without value", HOST + ";pn-type=google;app-id=com.example;pn-tok", 400, "pn-tok: empty token"),
                Arguments.of("unsupported type before anything else", HOST + ";pn-type=huawei", 555, "pn-type 'huawei'"),
                Arguments.of("oversized token", contact("google", "com.example", "t".repeat(1025)), 400,
                        "pn-tok: token longer than 1024 characters"),
                Arguments.of("oversized APNs token", contact("apple", "org.linphone.phone.prod", "f".repeat(1025)), 400,
                        "pn-tok: token longer than 1024 characters"),
                Arguments.of("NUL in token", contact("google", "com.example", "abc\0def"), 400, "pn-tok: token has a space, control"),
                Arguments.of("oversized app-id", contact("google", "a".repeat(256), FCM), 400, "app-id: app id longer than 255"),
                Arguments.of("duplicate pn-tok", contact("google", "com.example", FCM) + ";pn-tok=" + FCM, 400,
                        "duplicate parameter pn-tok"),
                Arguments.of("duplicate app-id", contact("google", "com.example", FCM) + ";APP-ID=com.example", 400,
                        "duplicate parameter app-id"),
                Arguments.of("duplicate pn-type", contact("google", "com.example", FCM) + ";pn-type=google", 400,
                        "duplicate parameter pn-type"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String description, String contact, int status, String fragment) {
        assertRejected(() -> LinphoneLegacyParser.parse(contact), contact, status, fragment);
    }
}
