package org.sippush.interfaces.sip.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sippush.interfaces.sip.push.PushParametersTest.APNS;
import static org.sippush.interfaces.sip.push.PushParametersTest.FCM;
import static org.sippush.interfaces.sip.push.PushParametersTest.VOIP;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

/** The contract of what the parsers produce: {@link PushSettings} and {@link PushProvider}. */
class PushSettingsTest {

    @ParameterizedTest
    @CsvSource(textBlock = """
            true,  true,  true
            true,  false, true
            false, true,  true
            false, false, false
            """)
    void pushIsEnabledWhenEitherKindIsAllowed(boolean call, boolean message, boolean enabled) {
        assertEquals(enabled, new PushSettings(PushProvider.FCM, FCM, FCM, "com.example", null, call, message).pushEnabled());
    }

    @Test
    void toStringMasksBothTokens() {
        PushSettings settings = new PushSettings(PushProvider.APNS, VOIP, APNS, "com.example.phone",
                "ABCD123456.com.example.phone.voip", true, false);
        String text = settings.toString();
        assertFalse(text.contains(VOIP.substring(0, 7)), text);
        assertFalse(text.contains(APNS.substring(0, 7)), text);
        assertTrue(text.contains("callToken=" + VOIP.substring(0, 6) + "…"), text);
        assertTrue(text.contains("messageToken=" + APNS.substring(0, 6) + "…"), text);
        assertTrue(text.contains("appId=com.example.phone"), text);
        assertTrue(text.contains("provider=APNS"), text);
        assertTrue(text.contains("messagePushAllowed=false"), text);
    }

    @ParameterizedTest
    @CsvSource({"a", "abcdef", "abcdefg"})
    void toStringNeverShowsAWholeToken(String token) {
        String text = new PushSettings(PushProvider.FCM, token, token, "com.example", null, true, true).toString();
        assertFalse(text.contains("=" + token + ","), text);
        assertFalse(text.contains("=" + token + "…"), text);
    }

    @Test
    void toStringOfParsedSettingsHidesTheTokens() throws PushParameterException {
        String text = PushParameters.fromRegister(List.of(PushParametersTest.X_PUSH_IOS), null).orElseThrow().toString();
        assertFalse(text.contains(VOIP.substring(0, 7)), text);
        assertFalse(text.contains(APNS.substring(0, 7)), text);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            APNS,         apns|com.example.phone|tok123
            APNS_SANDBOX, apns.dev|com.example.phone|tok123
            FCM,          fcm|com.example.phone|tok123
            """)
    void identityKeyIsProviderAppAndCallToken(PushProvider provider, String key) {
        assertEquals(key, new PushSettings(provider, "tok123", "other", "com.example.phone", null, true, true).identityKey());
    }

    static Stream<Arguments> missingFields() {
        return Stream.of(
                Arguments.of("provider", (Runnable) () -> new PushSettings(null, "t", "t", "a", null, true, true)),
                Arguments.of("callToken", (Runnable) () -> new PushSettings(PushProvider.FCM, null, "t", "a", null, true, true)),
                Arguments.of("messageToken", (Runnable) () -> new PushSettings(PushProvider.FCM, "t", null, "a", null, true, true)),
                Arguments.of("appId", (Runnable) () -> new PushSettings(PushProvider.FCM, "t", "t", null, null, true, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingFields")
    void nullFieldsAreNamed(String field, Runnable construct) {
        NullPointerException e = assertThrows(NullPointerException.class, construct::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"'', t, a, callToken", "t, '', a, messageToken", "t, t, '', appId"})
    void emptyFieldsAreNamed(String call, String message, String appId, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PushSettings(PushProvider.FCM, call, message, appId, null, true, true));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void paramMayBeNull() {
        assertNull(new PushSettings(PushProvider.FCM, "t", "t", "a", null, true, true).param());
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            apns,     APNS
            APNS,     APNS
            apns.dev, APNS_SANDBOX
            fcm,      FCM
            Fcm,      FCM
            """)
    void providersByWireName(String wireName, PushProvider provider) {
        assertEquals(Optional.of(provider), PushProvider.fromWireName(wireName));
        assertEquals(wireName.toLowerCase(), provider.wireName());
    }

    @ParameterizedTest
    @CsvSource({"webpush", "apns.prod", "gcm", "''"})
    void otherWireNamesAreNoProvider(String wireName) {
        assertEquals(Optional.empty(), PushProvider.fromWireName(wireName));
    }

    @Test
    void onlyAppleProvidersUseApnsTokens() {
        assertTrue(PushProvider.APNS.isApns());
        assertTrue(PushProvider.APNS_SANDBOX.isApns());
        assertFalse(PushProvider.FCM.isApns());
    }
}
