package org.sippush.interfaces.sip.push;

import static org.sippush.interfaces.sip.push.PushParameterException.badRequest;
import static org.sippush.interfaces.sip.push.PushParameterException.notSupported;
import static org.sippush.interfaces.sip.push.PushParameterException.quote;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;

/**
 * Reads the RFC 8599 push parameters of a Contact URI (RFC 8599, section 14.1), as Linphone, Flexisip
 * and other RFC 8599 phones send them:
 *
 * <pre>
 * pn-provider = "pn-provider" EQUAL pvalue   ; "apns", "apns.dev" (Apple sandbox), "fcm"; others: 555
 * pn-param    = "pn-param" EQUAL pvalue      ; required
 *     apns, apns.dev: team-id "." bundle-id [ "." services ]    e.g. ABCD123456.com.example.phone.voip
 *                     services = service *( "&amp;" service ), service = "voip" / "remote"
 *                     ("&amp;remote" glued to the bundle id is tolerated: ABCD123456.com.example.phone&amp;remote)
 *     fcm:            the Firebase project id
 * pn-prid     = "pn-prid" EQUAL pvalue       ; required, %XX escapes decoded
 *     token                                   one token for calls and messages
 *     typed-token *( "&amp;" typed-token )        Linphone: token ":voip" "&amp;" token ":remote"
 *     typed-token = token ":" ( "voip" / "remote" )
 * </pre>
 *
 * The app id is the bundle id for APNs, the project id for FCM. Of a typed pn-prid, the voip token is the
 * call token and the remote token the message token; when only one of them is given it serves for both.
 * A pn-prid or pn-param without pn-provider is a 400; both allow flags are always true (RFC 8599 has none).
 */
public final class Rfc8599Parser {

    static final String PN_PROVIDER = "pn-provider";
    static final String PN_PRID = "pn-prid";
    static final String PN_PARAM = "pn-param";
    private static final List<String> SERVICES = List.of("voip", "remote");

    private Rfc8599Parser() {
    }

    /**
     * @param contactUri the Contact's URI; null counts as a URI without parameters
     * @return empty when the URI has none of pn-provider, pn-prid, pn-param
     * @throws PushParameterException 400 when they are malformed or incomplete, 555 when pn-provider names a
     *                                service this server does not support
     */
    public static Optional<PushSettings> parse(String contactUri) throws PushParameterException {
        UriParams params = UriParams.parse(contactUri);
        Optional<String> providerName = params.value(PN_PROVIDER);
        if (providerName.isEmpty()) {
            for (String orphan : List.of(PN_PRID, PN_PARAM)) {
                if (params.has(orphan)) {
                    throw badRequest(orphan + " without pn-provider");
                }
            }
            return Optional.empty();
        }
        if (providerName.get().isEmpty()) {
            throw badRequest("pn-provider: empty value");
        }
        PushProvider provider = PushProvider.fromWireName(providerName.get())
                .orElseThrow(() -> notSupported(PN_PROVIDER + " " + quote(providerName.get()) + " not supported"));

        String prid = params.value(PN_PRID).orElseThrow(() -> badRequest("missing parameter pn-prid"));
        String param = params.value(PN_PARAM).orElseThrow(() -> badRequest("missing parameter pn-param"));
        if (param.isEmpty()) {
            throw badRequest("pn-param: empty value");
        }
        String appId = provider.isApns() ? bundleId(param) : PushParameters.checkAppId(PN_PARAM, param);
        Tokens tokens = tokens(prid, provider);
        return Optional.of(new PushSettings(provider, tokens.call(), tokens.message(), appId, param, true, true));
    }

    /** The bundle id in an APNs pn-param: {@code team-id "." bundle-id [ "." services ]}. */
    private static String bundleId(String param) throws PushParameterException {
        List<String> labels = Arrays.asList(param.split("\\.", -1));
        if (labels.size() < 2) {
            throw badRequest("pn-param: expected TeamID.bundle-id.voip, was " + quote(param));
        }
        String last = labels.get(labels.size() - 1);
        int amp = last.indexOf('&');
        String head = amp < 0 ? last : last.substring(0, amp);
        if (amp >= 0) {
            for (String service : last.substring(amp + 1).split("&", -1)) {
                if (!SERVICES.contains(service.toLowerCase(Locale.ROOT))) {
                    throw badRequest("pn-param: unknown push service " + quote(service) + " (expected voip or remote)");
                }
            }
        }
        String teamId = labels.get(0);
        if (teamId.isEmpty() || !teamId.chars().allMatch(c -> c < 0x80 && Character.isLetterOrDigit(c))) {
            throw badRequest("pn-param: Team ID " + quote(teamId) + " must be letters and digits");
        }
        List<String> bundle = new ArrayList<>(labels.subList(1, labels.size()));
        if (SERVICES.contains(head.toLowerCase(Locale.ROOT))) {
            bundle.remove(bundle.size() - 1); // ".voip", ".remote&voip"...: the services, not the bundle id
        } else if (amp >= 0) {
            bundle.set(bundle.size() - 1, head); // "&remote" glued to the bundle id
        }
        if (bundle.isEmpty()) {
            throw badRequest("pn-param: no bundle id after the Team ID in " + quote(param));
        }
        return PushParameters.checkAppId(PN_PARAM + " bundle id", String.join(".", bundle));
    }

    /** The call token and the message token in a pn-prid. */
    private static Tokens tokens(String prid, PushProvider provider) throws PushParameterException {
        String[] parts = prid.split("&", -1);
        if (parts.length == 1 && serviceOf(parts[0]) == null) {
            String token = PushParameters.checkToken(PN_PRID, prid, provider);
            return new Tokens(token, token);
        }
        String voip = null;
        String remote = null;
        for (String part : parts) {
            String service = serviceOf(part);
            if (service == null) {
                throw badRequest("pn-prid: with several tokens, each needs a :voip or :remote suffix");
            }
            String token = part.substring(0, part.length() - service.length() - 1);
            if ("voip".equals(service)) {
                if (voip != null) {
                    throw badRequest("pn-prid: two :voip tokens");
                }
                voip = PushParameters.checkToken("pn-prid voip token", token, provider);
            } else {
                if (remote != null) {
                    throw badRequest("pn-prid: two :remote tokens");
                }
                remote = PushParameters.checkToken("pn-prid remote token", token, provider);
            }
        }
        return new Tokens(voip != null ? voip : remote, remote != null ? remote : voip);
    }

    /** "voip" or "remote" when the part ends with ":voip" or ":remote" (any case), else null. */
    private static String serviceOf(String part) {
        int colon = part.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        String suffix = part.substring(colon + 1).toLowerCase(Locale.ROOT);
        return SERVICES.contains(suffix) ? suffix : null;
    }

    private record Tokens(String call, String message) {
    }
}
