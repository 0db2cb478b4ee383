package org.sippush.interfaces.sip;

import java.util.Locale;

import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;

/** Addresses-of-record and contact keys, the way this server compares them. */
final class SipAddresses {

    private SipAddresses() {
    }

    /** {@code sip:user@host}, host in lower case: the key of a user (RFC 3261 §10.3 step 5). */
    static String addressOfRecord(URI uri) throws BadRequest {
        if (!(uri instanceof SipURI sip)) {
            throw new BadRequest(400, "To header must hold a sip: or sips: URI");
        }
        if (sip.getUser() == null || sip.getUser().isEmpty()) {
            throw new BadRequest(400, "To URI has no user part");
        }
        return "sip:" + sip.getUser() + "@" + sip.getHost().toLowerCase(Locale.ROOT);
    }

    /**
     * The parts of a contact URI that RFC 3261 §19.1.4 compares and that identify where a phone
     * is: scheme, user, host, port and transport. Other parameters (pn-*, ob, ...) don't make
     * it another contact.
     */
    static String contactKey(SipURI uri) {
        String transport = uri.getTransportParam();
        return (uri.isSecure() ? "sips:" : "sip:") + (uri.getUser() == null ? "" : uri.getUser() + "@")
                + uri.getHost().toLowerCase(Locale.ROOT) + ":" + (uri.getPort() < 0 ? 5060 : uri.getPort())
                + ";transport=" + (transport == null ? "udp" : transport.toLowerCase(Locale.ROOT));
    }

    private static final java.util.regex.Pattern PUSH_PARAMETER =
            java.util.regex.Pattern.compile("(?i);pn-[a-z0-9\\-_.!~*'()%]*(=[^;?>]*)?");
    private static final java.util.regex.Pattern PUSH_TOKEN =
            java.util.regex.Pattern.compile("(?i)(;pn-(?:[a-z\\-]*prid|tok)=)([^;?>]*)");

    /** The contact URI without its RFC 8599 {@code pn-*} parameters (which carry the push token). */
    static String withoutPushParameters(String uri) {
        return PUSH_PARAMETER.matcher(uri).replaceAll("");
    }

    /** The contact URI for a log line: push tokens masked to their first six characters. */
    static String forLog(String uri) {
        if (uri == null) {
            return null;
        }
        return PUSH_TOKEN.matcher(uri).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                m.group(1) + org.sippush.domain.binding.PushSettings.mask(m.group(2))));
    }

    /**
     * Where to send requests for a contact of a phone behind NAT: a loose route to the address its
     * REGISTER came from ({@code received}, {@code transport:address:port}, set only when the REGISTER
     * showed NAT: see RegisterReader#natSource), unless the contact names that very address; else null.
     */
    static String natRoute(javax.servlet.sip.SipURI contact, String received) {
        if (received == null) {
            return null;
        }
        int first = received.indexOf(':');
        int last = received.lastIndexOf(':');
        if (first <= 0 || last <= first) {
            return null;
        }
        String transport = received.substring(0, first);
        String address = received.substring(first + 1, last);
        int port;
        try {
            port = Integer.parseInt(received.substring(last + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        String host = contact.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int contactPort = contact.getPort() < 0 ? (contact.isSecure() ? 5061 : 5060) : contact.getPort();
        if (host.equalsIgnoreCase(address) && contactPort == port) {
            return null;
        }
        String literal = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return "sip:" + literal + ":" + port + ";transport=" + transport + ";lr";
    }
}
