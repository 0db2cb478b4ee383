package org.sippush.interfaces.sip.push;

import static org.sippush.interfaces.sip.push.PushParameterException.badRequest;
import static org.sippush.interfaces.sip.push.PushParameterException.quote;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

/**
 * Reads PortSIP's {@code X-Push} header (older servers and SDKs: {@code x-p-push}, {@code portsip-push}):
 *
 * <pre>
 * X-Push             = field *( ";" field )
 * field              = [ name "=" value ]          ; empty fields (";;") are skipped, names are case-insensitive
 * device-os          = "device-os=" ( "ios" / "android" )                 ; required, case-insensitive
 * device-uid         = "device-uid=" token [ "|" token ]                  ; required
 *                      ; iOS: PushKit VoIP token "|" APNs token; Android: the FCM token
 * allow-call-push    = "allow-call-push=" ( "true" / "false" )            ; default true
 * allow-message-push = "allow-message-push=" ( "true" / "false" )         ; default true
 * app-id             = "app-id=" ( bundle-id / package-name )             ; required
 * other-field        = name "=" value                                     ; ignored
 * </pre>
 *
 * Example: {@code device-os=ios;device-uid=fe1b...ed|9a0c...;allow-call-push=true;allow-message-push=true;}
 * {@code app-id=com.example.phone}.
 * iOS maps to {@link PushProvider#APNS} (the header has no sandbox marker), Android to {@link PushProvider#FCM}.
 * A segment without {@code =} is an error (most likely a header cut short); a known field given twice too.
 * Both allow flags false is how a phone turns push off: the settings are returned with
 * {@link PushSettings#pushEnabled()} false.
 */
public final class XPushHeaderParser {

    private static final String DEVICE_OS = "device-os";
    private static final String DEVICE_UID = "device-uid";
    private static final String ALLOW_CALL_PUSH = "allow-call-push";
    private static final String ALLOW_MESSAGE_PUSH = "allow-message-push";
    private static final String APP_ID = "app-id";
    private static final Set<String> KNOWN_FIELDS =
            Set.of(DEVICE_OS, DEVICE_UID, ALLOW_CALL_PUSH, ALLOW_MESSAGE_PUSH, APP_ID);

    private XPushHeaderParser() {
    }

    /**
     * @param headerValue the value of one X-Push header
     * @throws PushParameterException 400 when a field is missing, malformed or given twice
     */
    public static PushSettings parse(String headerValue) throws PushParameterException {
        Objects.requireNonNull(headerValue, "headerValue must not be null");
        Map<String, String> fields = fields(headerValue);

        String os = required(fields, DEVICE_OS).toLowerCase(Locale.ROOT);
        PushProvider provider = switch (os) {
            case "ios" -> PushProvider.APNS;
            case "android" -> PushProvider.FCM;
            default -> throw badRequest("X-Push: unknown device-os " + quote(os));
        };

        String uid = required(fields, DEVICE_UID);
        String callToken;
        String messageToken;
        if (provider.isApns()) {
            int bar = uid.indexOf('|');
            if (bar < 0) {
                callToken = PushParameters.checkToken("X-Push device-uid", uid, provider);
                messageToken = callToken;
            } else {
                if (uid.indexOf('|', bar + 1) >= 0) {
                    throw badRequest("X-Push device-uid: more than two tokens (expected VoIP token, pipe, APNs token)");
                }
                callToken = PushParameters.checkToken(
                        "X-Push device-uid VoIP token", uid.substring(0, bar), provider);
                messageToken = PushParameters.checkToken(
                        "X-Push device-uid APNs token", uid.substring(bar + 1), provider);
            }
        } else {
            callToken = PushParameters.checkToken("X-Push device-uid", uid, provider);
            messageToken = callToken;
        }

        String appId = PushParameters.checkAppId("X-Push app-id", required(fields, APP_ID));
        boolean callPushAllowed = flag(fields, ALLOW_CALL_PUSH);
        boolean messagePushAllowed = flag(fields, ALLOW_MESSAGE_PUSH);
        return new PushSettings(provider, callToken, messageToken, appId, null, callPushAllowed, messagePushAllowed);
    }

    /** The known fields, by lower-case name; unknown fields are dropped. */
    private static Map<String, String> fields(String headerValue) throws PushParameterException {
        Map<String, String> fields = new HashMap<>();
        for (String segment : headerValue.split(";", -1)) {
            if (UriParams.trimSpaces(segment).isEmpty()) {
                continue;
            }
            int eq = segment.indexOf('=');
            if (eq < 0) {
                throw badRequest(
                        "X-Push: field " + quote(UriParams.trimSpaces(segment)) + " has no '=' (header cut short?)");
            }
            String name = UriParams.trimSpaces(segment.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (!KNOWN_FIELDS.contains(name)) {
                continue;
            }
            if (fields.putIfAbsent(name, UriParams.trimSpaces(segment.substring(eq + 1))) != null) {
                throw badRequest("X-Push: duplicate field " + name);
            }
        }
        return fields;
    }

    private static String required(Map<String, String> fields, String name) throws PushParameterException {
        String value = fields.get(name);
        if (value == null) {
            throw badRequest("X-Push: missing " + name);
        }
        if (value.isEmpty()) {
            throw badRequest("X-Push: empty " + name);
        }
        return value;
    }

    private static boolean flag(Map<String, String> fields, String name) throws PushParameterException {
        String value = fields.get(name);
        if (value == null) {
            return true;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw badRequest("X-Push: " + name + " must be true or false, was " + quote(value));
        };
    }
}
