package org.sippush.interfaces.sip.push;

import static org.sippush.interfaces.sip.push.PushParameterException.badRequest;
import static org.sippush.interfaces.sip.push.PushParameterException.quote;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

/**
 * Reads the push settings of a REGISTER, whichever of the three dialects the phone speaks, and holds the
 * rules for tokens and app ids that all three share.
 *
 * <p>Precedence: a PortSIP {@code X-Push} header ({@link XPushHeaderParser}), else the RFC 8599 Contact
 * parameters ({@link Rfc8599Parser}), else Linphone's legacy Contact parameters ({@link LinphoneLegacyParser}).
 * The dialects are not mixed: once one is found, the others are neither read nor checked.
 *
 * <pre>
 * token  = 1*1024( %x21-7E except ";" / "," / DQUOTE / "&lt;" / "&gt;" )   ; APNs: 1*1024HEXDIG
 * app-id = 1*255( ALPHA / DIGIT / "." / "_" / "-" )                 ; no empty dot-separated label
 * </pre>
 */
public final class PushParameters {

    static final int MAX_TOKEN_LENGTH = 1024;
    static final int MAX_APP_ID_LENGTH = 255;
    private static final String FORBIDDEN_TOKEN_CHARS = ";,\"<>";

    private PushParameters() {
    }

    /**
     * The push settings of a REGISTER.
     *
     * @param xPushHeaders all values of the {@code X-Push}, {@code x-p-push} and {@code portsip-push}
     *                     headers on the REGISTER, possibly none
     * @param contactUri   the Contact's URI as a string, e.g.
     *                     {@code sip:101@10.0.0.5:5060;transport=udp;pn-provider=apns;pn-prid=...;pn-param=...};
     *                     null (a {@code Contact: *}) counts as a contact without parameters
     * @return empty when the REGISTER carries no push parameters at all
     * @throws PushParameterException 400 when they are malformed or there is more than one X-Push header,
     *                                555 when they name a push service this server does not support
     */
    public static Optional<PushSettings> fromRegister(List<String> xPushHeaders, String contactUri)
            throws PushParameterException {
        Objects.requireNonNull(xPushHeaders, "xPushHeaders must not be null (pass an empty list)");
        if (xPushHeaders.size() > 1) {
            throw badRequest("duplicate X-Push header");
        }
        if (xPushHeaders.size() == 1) {
            return Optional.of(XPushHeaderParser.parse(xPushHeaders.get(0)));
        }
        Optional<PushSettings> rfc8599 = Rfc8599Parser.parse(contactUri);
        if (rfc8599.isPresent()) {
            return rfc8599;
        }
        return LinphoneLegacyParser.parse(contactUri);
    }

    /**
     * Checks a push token and returns it as stored: APNs tokens in lower case, so that a phone that changes
     * the case of its token between two REGISTERs is still recognised.
     *
     * @param where the field, for the reason phrase, e.g. {@code "pn-prid"}
     */
    static String checkToken(String where, String token, PushProvider provider) throws PushParameterException {
        if (token.isEmpty()) {
            throw badRequest(where + ": empty token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw badRequest(
                    where + ": token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw badRequest(
                        where + ": token has a space, control or non-ASCII character at offset " + i);
            }
            if (FORBIDDEN_TOKEN_CHARS.indexOf(c) >= 0) {
                throw badRequest(
                        where + ": token has a forbidden character at offset " + i
                                + " (no semicolon, comma, quote or angle bracket)");
            }
        }
        if (provider.isApns()) {
            for (int i = 0; i < token.length(); i++) {
                if (Character.digit(token.charAt(i), 16) < 0) {
                    throw badRequest(where + ": APNs token must be hexadecimal");
                }
            }
            return token.toLowerCase(Locale.ROOT);
        }
        return token;
    }

    /**
     * Checks an iOS bundle id, Android package name or Firebase project id.
     *
     * @param where the field, for the reason phrase, e.g. {@code "app-id"}
     */
    static String checkAppId(String where, String appId) throws PushParameterException {
        if (appId.isEmpty()) {
            throw badRequest(where + ": empty app id");
        }
        if (appId.length() > MAX_APP_ID_LENGTH) {
            throw badRequest(
                    where + ": app id longer than " + MAX_APP_ID_LENGTH + " characters");
        }
        for (int i = 0; i < appId.length(); i++) {
            char c = appId.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!allowed) {
                throw badRequest(where + ": app id " + quote(appId)
                        + " has an invalid character at offset " + i + " (allowed: letters, digits, . _ -)");
            }
        }
        if (appId.startsWith(".") || appId.endsWith(".") || appId.contains("..")) {
            throw badRequest(
                    where + ": app id " + quote(appId) + " has an empty label");
        }
        return appId;
    }
}
