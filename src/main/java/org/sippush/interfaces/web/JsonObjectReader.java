package org.sippush.interfaces.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the one kind of JSON the HTTP API accepts: an object whose members are all strings
 * (RFC 8259), such as {@code {"password": "s3cret"}}. Strict: anything else is refused with the
 * offset (in characters) and what was expected there.
 * <pre>
 * JSON-text = ws object ws
 * object    = %x7B ws [ member *( ws %x2C ws member ) ] ws %x7D
 * member    = string ws %x3A ws string              ; values: strings only
 * string    = %x22 *char %x22
 * char      = unescaped / %x5C ( %x22 / %x5C / %x2F / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG )
 * unescaped = %x20-21 / %x23-5B / %x5D-10FFFF
 * ws        = *( %x20 / %x09 / %x0A / %x0D )
 * </pre>
 * Also refused: a member name given twice (RFC 8259 §4 leaves that to the reader) and a
 * backslash-u escape that leaves half of a surrogate pair, which no UTF-8 text can carry. Error
 * messages never repeat a value: values may be passwords.
 */
final class JsonObjectReader {

    private final String text;
    private int at;

    private JsonObjectReader(String text) {
        this.text = text;
    }

    /**
     * The members of the object, in order.
     *
     * @throws MalformedJsonException saying where the text departs from the grammar above
     */
    static Map<String, String> read(String text) {
        if (text == null) {
            throw new MalformedJsonException("no JSON text", 0);
        }
        return new JsonObjectReader(text).object();
    }

    private Map<String, String> object() {
        skipWhitespace();
        if (atEnd()) {
            throw error("empty body: expected a JSON object");
        }
        expect('{', "'{' to begin a JSON object");
        Map<String, String> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            at++;
        } else {
            while (true) {
                int nameAt = at;
                String name = string("'\"' to begin a member name");
                if (members.containsKey(name)) {
                    throw new MalformedJsonException("member \"" + name + "\" is given twice", nameAt);
                }
                skipWhitespace();
                expect(':', "':' after the member name \"" + name + "\"");
                skipWhitespace();
                if (peek() != '"') {
                    throw error("the value of \"" + name + "\" must be a string, not " + kindAhead());
                }
                members.put(name, string("a string"));
                skipWhitespace();
                if (peek() == ',') {
                    at++;
                    skipWhitespace();
                } else if (peek() == '}') {
                    at++;
                    break;
                } else {
                    throw error(atEnd() ? "the object is not closed: expected ',' or '}'" : "expected ',' or '}'");
                }
            }
        }
        skipWhitespace();
        if (!atEnd()) {
            throw error("unexpected text after the JSON object");
        }
        return members;
    }

    /** A string at the cursor, unescaped; {@code expected} names it if there is none. */
    private String string(String expected) {
        int start = at;
        expect('"', expected);
        StringBuilder out = new StringBuilder();
        while (true) {
            if (atEnd()) {
                throw new MalformedJsonException("unterminated string", start);
            }
            char c = text.charAt(at);
            if (c == '"') {
                at++;
                return out.toString();
            }
            if (c < 0x20) {
                throw error(String.format("control character U+%04X must be escaped in a string", (int) c));
            }
            if (c == '\\') {
                escape(out);
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || at + 1 >= text.length()
                        || !Character.isLowSurrogate(text.charAt(at + 1))) {
                    throw error("unpaired surrogate in a string");
                }
                out.append(c).append(text.charAt(at + 1));
                at += 2;
            } else {
                out.append(c);
                at++;
            }
        }
    }

    private void escape(StringBuilder out) {
        int start = at;
        at++;  // the backslash
        if (atEnd()) {
            throw new MalformedJsonException("unterminated escape", start);
        }
        char c = text.charAt(at++);
        switch (c) {
            case '"' -> out.append('"');
            case '\\' -> out.append('\\');
            case '/' -> out.append('/');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> {
                char unit = hex4(start);
                if (Character.isHighSurrogate(unit)) {
                    int low = at;
                    if (!text.startsWith("\\u", at)) {
                        throw new MalformedJsonException("unpaired surrogate in a \\u escape", start);
                    }
                    at += 2;
                    char second = hex4(low);
                    if (!Character.isLowSurrogate(second)) {
                        throw new MalformedJsonException("unpaired surrogate in a \\u escape", start);
                    }
                    out.append(unit).append(second);
                } else if (Character.isLowSurrogate(unit)) {
                    throw new MalformedJsonException("unpaired surrogate in a \\u escape", start);
                } else {
                    out.append(unit);
                }
            }
            default -> throw new MalformedJsonException(
                    "invalid escape: a backslash must be followed by one of \" \\ / b f n r t u", start);
        }
    }

    /** The four hex digits after a backslash-u whose backslash is at {@code escapeAt}. */
    private char hex4(int escapeAt) {
        if (at + 4 > text.length()) {
            throw new MalformedJsonException("\\u must be followed by four hex digits", escapeAt);
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at + i), 16);
            if (digit < 0) {
                throw new MalformedJsonException("\\u must be followed by four hex digits", escapeAt);
            }
            value = value * 16 + digit;
        }
        at += 4;
        return (char) value;
    }

    /** What kind of JSON value starts at the cursor, for messages. */
    private String kindAhead() {
        if (atEnd()) {
            return "the end of the text";
        }
        char c = text.charAt(at);
        if (c == '{') {
            return "an object";
        }
        if (c == '[') {
            return "an array";
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return "a number";
        }
        for (String literal : new String[] {"true", "false", "null"}) {
            if (text.startsWith(literal, at)) {
                return literal;
            }
        }
        return "something that is no JSON value";
    }

    private void expect(char c, String what) {
        if (peek() != c) {
            throw error("expected " + what);
        }
        at++;
    }

    private void skipWhitespace() {
        while (!atEnd()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    /** The character at the cursor, or -1 at the end. */
    private int peek() {
        return atEnd() ? -1 : text.charAt(at);
    }

    private boolean atEnd() {
        return at >= text.length();
    }

    private MalformedJsonException error(String message) {
        return new MalformedJsonException(message, at);
    }

    /** The text is not a JSON object of strings; {@link #offset()} is where it went wrong. */
    static final class MalformedJsonException extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;
        private final int offset;

        MalformedJsonException(String reason, int offset) {
            super(reason + " (at offset " + offset + ")");
            this.offset = offset;
        }

        /** The offset, in characters from the start of the text, where the text departs from the grammar. */
        int offset() {
            return offset;
        }
    }
}
