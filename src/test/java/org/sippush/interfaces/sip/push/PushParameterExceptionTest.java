package org.sippush.interfaces.sip.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sippush.interfaces.sip.push.PushParametersTest.assertReasonSafe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PushParameterExceptionTest {

    @Test
    void carriesStatusAndReason() {
        PushParameterException e = new PushParameterException(555, "pn-provider 'webpush' not supported");
        assertEquals(555, e.status());
        assertEquals("pn-provider 'webpush' not supported", e.reason());
        assertEquals(e.reason(), e.getMessage());
    }

    @Test
    void reasonIsMadeSafeForAReasonPhrase() {
        PushParameterException e = new PushParameterException(400, "bad\r\nVia: \"x\" <\u00e9>\0\t|end");
        assertEquals("bad??Via: ?x? ??????end", e.reason());
        assertReasonSafe(e.reason());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 200, 302, 399, 700})
    void statusMustBeAnError(int status) {
        assertThrows(IllegalArgumentException.class, () -> new PushParameterException(status, "x"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            blackberry                  | 'blackberry'
            12345678901234567890        | '12345678901234567890'
            123456789012345678901       | '12345678901234567890...'
            fe1b2c3d4e5f60718293a4b5c6d | 'fe1b2c3d4e5f60718293...'
            a<b>c{é}                    | 'a?b?c???'
            ""                          | ''
            """)
    void quotesAtMostTwentyCharacters(String value, String quoted) {
        assertEquals(quoted, PushParameterException.quote(value));
    }
}
