package org.sippush.application.auth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of an {@code Authorization} or {@code Proxy-Authorization} header value
 * (RFC 3261 §25.1, RFC 7616 §3.4):
 * <pre>
 * credentials     = "Digest" LWS digest-response *(COMMA digest-response)
 * digest-response = username / realm / nonce / digest-uri / dresponse / algorithm / cnonce
 *                   / opaque / message-qop / nonce-count / auth-param
 * auth-param      = auth-param-name EQUAL ( token / quoted-string )
 * </pre>
 *
 * @param params the parameters by lower-case name, quotes and escapes removed
 */
public record DigestCredentials(Map<String, String> params) {

    /** Longest header value read; a longer one is refused rather than parsed. */
    static final int MAX_LENGTH = 4096;

    public DigestCredentials {
        params = Map.copyOf(params);
    }

    public String get(String name) {
        return params.get(name);
    }

    /**
     * Parses one header value.
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static DigestCredentials parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("empty credentials");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("credentials longer than " + MAX_LENGTH + " characters");
        }
        String text = value.trim();
        if (text.length() < 7 || !text.regionMatches(true, 0, "Digest", 0, 6) || !Character.isWhitespace(text.charAt(6))) {
            throw new IllegalArgumentException("scheme is not Digest");
        }
        Map<String, String> params = new LinkedHashMap<>();
        int at = 7;
        int n = text.length();
        while (at < n) {
            at = skipSpace(text, at);
            int nameStart = at;
            while (at < n && isTokenChar(text.charAt(at))) {
                at++;
            }
            if (at == nameStart) {
                throw new IllegalArgumentException("expected a parameter name at offset " + at);
            }
            String name = text.substring(nameStart, at).toLowerCase(Locale.ROOT);
            at = skipSpace(text, at);
            if (at >= n || text.charAt(at) != '=') {
                throw new IllegalArgumentException("expected '=' after " + name);
            }
            at = skipSpace(text, at + 1);
            StringBuilder v = new StringBuilder();
            if (at < n && text.charAt(at) == '"') {
                at++;
                boolean closed = false;
                while (at < n) {
                    char c = text.charAt(at++);
                    if (c == '\\' && at < n) {
                        v.append(text.charAt(at++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value of " + name);
                }
            } else {
                int valueStart = at;
                while (at < n && isTokenChar(text.charAt(at))) {
                    at++;
                }
                if (at == valueStart) {
                    throw new IllegalArgumentException("empty value of " + name);
                }
                v.append(text, valueStart, at);
            }
            if (params.putIfAbsent(name, v.toString()) != null) {
                throw new IllegalArgumentException("duplicate parameter " + name);
            }
            at = skipSpace(text, at);
            if (at < n) {
                if (text.charAt(at) != ',') {
                    throw new IllegalArgumentException("expected ',' at offset " + at);
                }
                at++;
            }
        }
        return new DigestCredentials(params);
    }

    private static int skipSpace(String text, int at) {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        return at;
    }

    /** RFC 3261 token characters. */
    private static boolean isTokenChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || "-.!%*_+`'~".indexOf(c) >= 0);
    }

    @Override
    public String toString() {
        return "DigestCredentials[username=" + params.get("username") + ", realm=" + params.get("realm") + "]";
    }
}
