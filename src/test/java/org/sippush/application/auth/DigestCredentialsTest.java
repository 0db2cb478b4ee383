package org.sippush.application.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DigestCredentialsTest {

    @Test
    void readsQuotedAndTokenValuesWithEscapes() {
        DigestCredentials c = DigestCredentials.parse("Digest username=\"al\\\"ice\", realm=\"example.test\","
                + " nonce=\"abc\", uri=\"sip:example.test\", response=\"0f\", algorithm=SHA-256, qop=auth,"
                + " nc=00000001, cnonce=\"x y\"");
        assertEquals("al\"ice", c.get("username"));
        assertEquals("example.test", c.get("realm"));
        assertEquals("SHA-256", c.get("algorithm"));
        assertEquals("auth", c.get("qop"));
        assertEquals("00000001", c.get("nc"));
        assertEquals("x y", c.get("cnonce"));
    }

    @Test
    void schemeAndNamesAreCaseInsensitive() {
        assertEquals("bob", DigestCredentials.parse("digest USERNAME=\"bob\"").get("username"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Basic YWxhZGRpbjpvcGVu           | scheme is not Digest",
            "Digest                           | scheme is not Digest",
            "Digest username                  | expected '=' after username",
            "Digest username=\"bob            | unterminated quoted value of username",
            "Digest username=\"a\" realm=\"b\" | expected ',' at offset",
            "Digest username=\"a\", username=\"b\" | duplicate parameter username",
            "Digest =x                        | expected a parameter name",
            "Digest username=,realm=\"x\"     | empty value of username",
    })
    void refusesWhatItCannotReadSayingWhy(String value, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DigestCredentials.parse(value));
        assertTrue(e.getMessage().startsWith(why), e.getMessage());
    }

    @Test
    void refusesOversizedValues() {
        String huge = "Digest username=\"" + "a".repeat(DigestCredentials.MAX_LENGTH) + "\"";
        assertThrows(IllegalArgumentException.class, () -> DigestCredentials.parse(huge));
    }
}
