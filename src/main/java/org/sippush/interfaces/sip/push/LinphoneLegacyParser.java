package org.sippush.interfaces.sip.push;

import static org.sippush.interfaces.sip.push.PushParameterException.badRequest;
import static org.sippush.interfaces.sip.push.PushParameterException.notSupported;
import static org.sippush.interfaces.sip.push.PushParameterException.quote;

import java.util.Locale;
import java.util.Optional;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

/**
 * Reads the Contact URI parameters older Linphone releases (and Flexisip's legacy mode) use for push:
 *
 * <pre>
 * pn-type = "pn-type" EQUAL ( "apple" / "google" / "firebase" )   ; others: 555
 * app-id  = "app-id" EQUAL app [ ".voip" ] [ ".dev" / ".prod" ]   ; required
 * pn-tok  = "pn-tok" EQUAL token                                  ; required, %XX escapes decoded
 * </pre>
 *
 * For {@code apple}, {@code .dev} selects {@link PushProvider#APNS_SANDBOX} and {@code .prod} (or no
 * suffix) {@link PushProvider#APNS}; {@code google} and {@code firebase} are {@link PushProvider#FCM}.
 * The {@code .dev}/{@code .prod} suffix is not part of the app id. For {@code apple} neither is a
 * {@code .voip} before it (Linphone's {@code org.linphone.phone.voip.prod}): the app id is then the bundle
 * id, as with RFC 8599. The one token serves calls and messages; both allow flags are true. Other
 * parameters of the dialect ({@code pn-msg-str}, {@code pn-call-str}, ...) are ignored.
 */
public final class LinphoneLegacyParser {

    static final String PN_TYPE = "pn-type";
    static final String PN_TOK = "pn-tok";
    static final String APP_ID = "app-id";

    private LinphoneLegacyParser() {
    }

    /**
     * @param contactUri the Contact's URI; null counts as a URI without parameters
     * @return empty when the URI has neither pn-type nor pn-tok
     * @throws PushParameterException 400 when the parameters are malformed or incomplete, 555 when pn-type
     *                                names a service this server does not support
     */
    public static Optional<PushSettings> parse(String contactUri) throws PushParameterException {
        UriParams params = UriParams.parse(contactUri);
        Optional<String> type = params.value(PN_TYPE);
        if (type.isEmpty()) {
            if (params.has(PN_TOK)) {
                throw badRequest("pn-tok without pn-type");
            }
            return Optional.empty();
        }
        String typeName = type.get().toLowerCase(Locale.ROOT);
        boolean apple = switch (typeName) {
            case "apple" -> true;
            case "google", "firebase" -> false;
            case "" -> throw badRequest("pn-type: empty value");
            default -> throw notSupported(PN_TYPE + " " + quote(type.get()) + " not supported");
        };

        String appId = params.value(APP_ID).orElseThrow(() -> badRequest("missing parameter app-id"));
        PushProvider provider = apple ? PushProvider.APNS : PushProvider.FCM;
        if (endsWithIgnoreCase(appId, ".dev")) {
            appId = appId.substring(0, appId.length() - ".dev".length());
            provider = apple ? PushProvider.APNS_SANDBOX : PushProvider.FCM;
        } else if (endsWithIgnoreCase(appId, ".prod")) {
            appId = appId.substring(0, appId.length() - ".prod".length());
        }
        if (apple && endsWithIgnoreCase(appId, ".voip")) {
            appId = appId.substring(0, appId.length() - ".voip".length());
        }
        appId = PushParameters.checkAppId(APP_ID, appId);

        String token = params.value(PN_TOK).orElseThrow(() -> badRequest("missing parameter pn-tok"));
        token = PushParameters.checkToken(PN_TOK, token, provider);
        return Optional.of(new PushSettings(provider, token, token, appId, null, true, true));
    }

    private static boolean endsWithIgnoreCase(String text, String suffix) {
        return text.regionMatches(true, text.length() - suffix.length(), suffix, 0, suffix.length());
    }
}
