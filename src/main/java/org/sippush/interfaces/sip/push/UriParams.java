package org.sippush.interfaces.sip.push;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code ;name=value} parameters of a SIP URI given as a string (RFC 3261, section 25.1):
 *
 * <pre>
 * SIP-URI          =  "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 * userinfo         =  ( user / telephone-subscriber ) [ ":" password ] "@"
 * uri-parameters   =  *( ";" uri-parameter )
 * uri-parameter    =  transport-param / user-param / method-param / ttl-param / maddr-param / lr-param / other-param
 * other-param      =  pname [ "=" pvalue ]
 * headers          =  "?" header *( "&amp;" header )
 * </pre>
 *
 * <p>The user part may itself hold {@code ;} and {@code ?}, so parameters are looked for only after the
 * {@code @}. Everything after {@code ?} is URI headers, not parameters. Names are case-insensitive; a
 * parameter without {@code =} has the empty value; empty segments ({@code ;;}) are skipped. A URI wrapped
 * in angle brackets, with or without a display name ({@code "Bob" <sip:...>;expires=60}), is unwrapped and
 * whatever follows the {@code >} (Contact header parameters) is ignored.
 *
 * <p>Parsing never fails; a parameter given twice is reported only when it is {@linkplain #value read},
 * so a duplicated parameter this server does not use cannot get a REGISTER rejected.
 */
final class UriParams {

    private final Map<String, List<String>> rawValues;

    private UriParams(Map<String, List<String>> rawValues) {
        this.rawValues = rawValues;
    }

    /** Splits the parameters of {@code uri}; null or a URI without parameters gives none. */
    static UriParams parse(String uri) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (uri == null) {
            return new UriParams(values);
        }
        String bare = unwrap(trimSpaces(uri));
        int at = bare.indexOf('@');
        int hostStart = at >= 0 ? at + 1 : 0;
        int headers = bare.indexOf('?', hostStart);
        int end = headers >= 0 ? headers : bare.length();
        int paramsStart = bare.indexOf(';', hostStart);
        if (paramsStart < 0 || paramsStart >= end) {
            return new UriParams(values);
        }
        for (String segment : bare.substring(paramsStart + 1, end).split(";", -1)) {
            int eq = segment.indexOf('=');
            String name = trimSpaces(eq >= 0 ? segment.substring(0, eq) : segment).toLowerCase(Locale.ROOT);
            String value = eq >= 0 ? trimSpaces(segment.substring(eq + 1)) : "";
            if (!name.isEmpty()) {
                values.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
            }
        }
        return new UriParams(values);
    }

    /**
     * Strips spaces and tabs only: {@link String#trim()} would also drop control characters such as NUL,
     * which must reach the validators and be rejected.
     */
    static String trimSpaces(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static String unwrap(String uri) {
        int open = uri.indexOf('<');
        if (open < 0) {
            return uri;
        }
        int close = uri.indexOf('>', open);
        return close >= 0 ? uri.substring(open + 1, close) : uri.substring(open + 1);
    }

    /** The names present, in lower case, in the order they came. */
    Set<String> names() {
        return Collections.unmodifiableSet(rawValues.keySet());
    }

    boolean has(String name) {
        return rawValues.containsKey(name);
    }

    /**
     * The value of parameter {@code name} (lower case) with its %XX escapes decoded; empty when absent,
     * "" when present without a value.
     *
     * @throws PushParameterException 400 when the parameter is given twice or holds a malformed escape
     */
    Optional<String> value(String name) throws PushParameterException {
        List<String> values = rawValues.get(name);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw PushParameterException.badRequest("duplicate parameter " + name);
        }
        return Optional.of(unescape(name, values.get(0)));
    }

    /**
     * Decodes {@code escaped = "%" HEXDIG HEXDIG}; a run of escapes is read as UTF-8 (invalid UTF-8 turns
     * into U+FFFD), characters that were not escaped are kept as they are.
     */
    static String unescape(String name, String value) throws PushParameterException {
        if (value.indexOf('%') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            while (i < value.length() && value.charAt(i) == '%') {
                int high = i + 2 < value.length() ? hexDigit(value.charAt(i + 1)) : -1;
                int low = i + 2 < value.length() ? hexDigit(value.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    throw PushParameterException.badRequest(name + ": malformed percent-escape at offset " + i);
                }
                run.write(high * 16 + low);
                i += 3;
            }
            out.append(run.toString(StandardCharsets.UTF_8));
            run.reset();
        }
        return out.toString();
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
