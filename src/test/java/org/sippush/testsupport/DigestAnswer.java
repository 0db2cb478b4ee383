package org.sippush.testsupport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a phone answers to a digest challenge (RFC 7616 §3.4, RFC 2617 §3.2.2): written here from
 * the RFC, as a phone's SIP stack does, independently of the server's code.
 */
public final class DigestAnswer {

    private static final Pattern PARAM = Pattern.compile("(\\w+)=(\"([^\"]*)\"|([^,\\s]+))");

    private DigestAnswer() {
    }

    /** The parameters of a WWW-Authenticate / Proxy-Authenticate value. */
    public static Map<String, String> params(String challenge) {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge.substring(challenge.indexOf(' ') + 1));
        while (m.find()) {
            params.put(m.group(1).toLowerCase(), m.group(3) != null ? m.group(3) : m.group(4));
        }
        return params;
    }

    /** The Authorization value for {@code challenge} with qop=auth and nonce count {@code nc}. */
    public static String answer(String challenge, String method, String uri, String user, String password, int nc) {
        Map<String, String> c = params(challenge);
        String algorithm = c.getOrDefault("algorithm", "MD5");
        String jdk = algorithm.equalsIgnoreCase("SHA-256") ? "SHA-256" : "MD5";
        String realm = c.get("realm");
        String nonce = c.get("nonce");
        String cnonce = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String ncText = String.format("%08x", nc);
        String ha1 = hex(jdk, user + ":" + realm + ":" + password);
        String ha2 = hex(jdk, method + ":" + uri);
        String response = hex(jdk, ha1 + ":" + nonce + ":" + ncText + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=" + algorithm + ", cnonce=\"" + cnonce
                + "\", qop=auth, nc=" + ncText;
    }

    private static String hex(String algorithm, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
