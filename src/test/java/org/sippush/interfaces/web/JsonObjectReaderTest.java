package org.sippush.interfaces.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sippush.interfaces.web.JsonObjectReader.MalformedJsonException;

class JsonObjectReaderTest {

    static Stream<Arguments> goodInput() {
        return Stream.of(
                Arguments.of("{}", Map.of()),
                Arguments.of(" \t\r\n{ \t\r\n} \t\r\n", Map.of()),
                Arguments.of("{\"password\":\"s3cret\"}", Map.of("password", "s3cret")),
                Arguments.of("{ \"password\" : \"s3cret\" }\n", Map.of("password", "s3cret")),
                Arguments.of("{\"password\":\"\"}", Map.of("password", "")),
                Arguments.of("{\"a\":\"1\",\"b\":\"2\"}", Map.of("a", "1", "b", "2")),
                Arguments.of("{\"p\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"}", Map.of("p", "\" \\ / \b \f \n \r \t")),
                Arguments.of("{\"p\":\"\\u0041\\u00e9\\u00E9\\u20AC\"}", Map.of("p", "Aéé€")),
                Arguments.of("{\"p\":\"\\ud83d\\ude00\"}", Map.of("p", "\ud83d\ude00")),
                Arguments.of("{\"p\":\"é€\ud83d\ude00 ünïcödé\"}", Map.of("p", "é€\ud83d\ude00 ünïcödé")),
                Arguments.of("{\"p\":\"{}[],:\"}", Map.of("p", "{}[],:")),
                Arguments.of("{\"\":\"empty name\"}", Map.of("", "empty name")));
    }

    @ParameterizedTest
    @MethodSource("goodInput")
    void readsObjectsOfStrings(String json, Map<String, String> members) {
        assertEquals(members, JsonObjectReader.read(json));
    }

    @Test
    void keepsTheOrderOfMembers() {
        assertEquals(List.of("z", "a", "m"), List.copyOf(JsonObjectReader.read("{\"z\":\"\",\"a\":\"\",\"m\":\"\"}").keySet()));
        assertTrue(JsonObjectReader.read("{\"z\":\"\"}") instanceof LinkedHashMap);
    }

    /** The text, where it goes wrong, and words the message must hold. */
    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of("", 0, "empty body"),
                Arguments.of("  \n", 3, "empty body"),
                Arguments.of("[\"password\"]", 0, "expected '{'"),
                Arguments.of("\"password\"", 0, "expected '{'"),
                Arguments.of("password=s3cret", 0, "expected '{'"),
                Arguments.of("\uFEFF{}", 0, "expected '{'"),
                Arguments.of("{", 1, "'\"' to begin a member name"),
                Arguments.of("{password:\"x\"}", 1, "'\"' to begin a member name"),
                Arguments.of("{'password':'x'}", 1, "'\"' to begin a member name"),
                Arguments.of("{\"password\" \"x\"}", 12, "':' after the member name \"password\""),
                Arguments.of("{\"password\":}", 12, "must be a string, not something"),
                Arguments.of("{\"password\":42}", 12, "must be a string, not a number"),
                Arguments.of("{\"password\":-1}", 12, "must be a string, not a number"),
                Arguments.of("{\"password\":null}", 12, "must be a string, not null"),
                Arguments.of("{\"password\":true}", 12, "must be a string, not true"),
                Arguments.of("{\"password\":false}", 12, "must be a string, not false"),
                Arguments.of("{\"password\":{\"a\":\"b\"}}", 12, "must be a string, not an object"),
                Arguments.of("{\"password\":[\"x\"]}", 12, "must be a string, not an array"),
                Arguments.of("{\"password\":", 12, "not the end of the text"),
                Arguments.of("{\"password\":\"x\"", 15, "not closed"),
                Arguments.of("{\"password\":\"x", 12, "unterminated string"),
                Arguments.of("{\"pass", 1, "unterminated string"),
                Arguments.of("{\"password\":\"x\",}", 16, "'\"' to begin a member name"),
                Arguments.of("{\"password\":\"x\" \"b\":\"y\"}", 16, "expected ',' or '}'"),
                Arguments.of("{\"password\":\"x\"}}", 16, "unexpected text after"),
                Arguments.of("{\"password\":\"x\"} {}", 17, "unexpected text after"),
                Arguments.of("{\"password\":\"x\",\"password\":\"y\"}", 16, "\"password\" is given twice"),
                Arguments.of("{\"password\":\"a\tb\"}", 14, "control character U+0009"),
                Arguments.of("{\"password\":\"a\nb\"}", 14, "control character U+000A"),
                Arguments.of("{\"password\":\"a\u0000b\"}", 14, "control character U+0000"),
                Arguments.of("{\"password\":\"a\\qb\"}", 14, "invalid escape"),
                Arguments.of("{\"password\":\"a\\", 14, "unterminated escape"),
                Arguments.of("{\"password\":\"\\u12\"}", 13, "four hex digits"),
                Arguments.of("{\"password\":\"\\u12g4\"}", 13, "four hex digits"),
                Arguments.of("{\"password\":\"\\ud83d\"}", 13, "unpaired surrogate"),
                Arguments.of("{\"password\":\"\\ud83dx\"}", 13, "unpaired surrogate"),
                Arguments.of("{\"password\":\"\\ud83d\\u0041\"}", 13, "unpaired surrogate"),
                Arguments.of("{\"password\":\"\\ude00\"}", 13, "unpaired surrogate"),
                Arguments.of("{\"password\":\"\ud83d\"}", 13, "unpaired surrogate"),
                Arguments.of("{\"password\":\"\ude00\ud83d\"}", 13, "unpaired surrogate"));
    }

    @ParameterizedTest
    @MethodSource("badInput")
    void refusesAnythingElseSayingWhereAndWhat(String json, int offset, String reason) {
        MalformedJsonException e = assertThrows(MalformedJsonException.class, () -> JsonObjectReader.read(json));
        assertTrue(e.getMessage().contains(reason), "\"" + e.getMessage() + "\" should say " + reason);
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().endsWith("(at offset " + offset + ")"), e.getMessage());
    }

    @Test
    void neverRepeatsAValueInItsMessages() {
        for (String json : List.of("{\"password\":\"hunter2\\q\"}", "{\"password\":\"hunter2\n\"}",
                "{\"password\":\"hunter2\"", "{\"password\":\"hunter2\" x}", "{\"password\":\"hunter2\\u12\"}")) {
            MalformedJsonException e = assertThrows(MalformedJsonException.class, () -> JsonObjectReader.read(json));
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void refusesNull() {
        assertThrows(MalformedJsonException.class, () -> JsonObjectReader.read(null));
    }
}
