package org.sippush.interfaces.sip.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sippush.interfaces.sip.push.PushParametersTest.assertRejected;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class UriParamsTest {

    static Stream<Arguments> uris() {
        return Stream.of(
                Arguments.of("sip:101@10.0.0.5", List.of()),
                Arguments.of("sip:101@10.0.0.5:5060;transport=udp;lr", List.of("transport", "lr")),
                Arguments.of("sip:10.0.0.5;Transport=UDP", List.of("transport")),
                Arguments.of("sip:+4930;phone-context=x;npdi@10.0.0.5;ob", List.of("ob")),
                Arguments.of("sip:101@10.0.0.5;a=1?b=2;c=3", List.of("a")),
                Arguments.of("sip:101@10.0.0.5?b=2;c=3", List.of()),
                Arguments.of("<sip:101@10.0.0.5;a=1>;expires=60", List.of("a")),
                Arguments.of("\"Bob\" <sip:101@10.0.0.5;a=1>;q=0.5", List.of("a")),
                Arguments.of("<sip:101@10.0.0.5;a=1", List.of("a")),
                Arguments.of("  sip:101@[::1]:5060;a=1;;b ", List.of("a", "b")),
                Arguments.of("sip:101@10.0.0.5;=orphan;a", List.of("a")));
    }

    @ParameterizedTest
    @MethodSource("uris")
    void findsTheParameterNames(String uri, List<String> names) {
        assertEquals(names, List.copyOf(UriParams.parse(uri).names()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            sip:a@h;p=v            | v
            sip:a@h;P=v            | v
            sip:a@h;p              | ''
            sip:a@h;p=             | ''
            sip:a@h;p = v          | v
            sip:a@h;p=%41%62c      | Abc
            sip:a@h;p=x%3Ay%26z    | x:y&z
            sip:a@h;p=%C3%A9       | é
            sip:a@h;p=é%41         | éA
            sip:a@h;p=a=b          | a=b
            """)
    void readsDecodedValues(String uri, String value) throws PushParameterException {
        assertEquals(Optional.of(value), UriParams.parse(uri).value("p"));
    }

    @Test
    void absentParameterIsEmpty() throws PushParameterException {
        assertEquals(Optional.empty(), UriParams.parse("sip:a@h;q=1").value("p"));
        assertFalse(UriParams.parse(null).has("p"));
    }

    @Test
    void duplicatesAreReportedWhenRead() throws PushParameterException {
        UriParams params = UriParams.parse("sip:a@h;p=1;P=2;q=3");
        assertTrue(params.has("p"));
        assertEquals(Optional.of("3"), params.value("q"));
        assertRejected(() -> params.value("p"), "", 400, "duplicate parameter p");
    }

    @ParameterizedTest
    @CsvSource({"%", "%4", "%G0", "%0G", "abc%", "%e9%"})
    void malformedEscapesAreRejected(String value) {
        assertRejected(() -> UriParams.unescape("pn-prid", value), value, 400, "pn-prid: malformed percent-escape");
    }

    @Test
    void nonAsciiDigitsAreNoHexDigits() {
        assertRejected(() -> UriParams.unescape("p", "%\u0661\u0662"), "", 400, "malformed percent-escape");
    }

    @Test
    void onlySpacesAndTabsAreTrimmed() {
        assertEquals("a\0", UriParams.trimSpaces(" \ta\0\t "));
        assertEquals("\u001fa", UriParams.trimSpaces("\u001fa"));
    }
}
