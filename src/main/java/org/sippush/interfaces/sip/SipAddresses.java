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

    /**
     * The contact URI without its RFC 8599 {@code pn-*} parameters (which carry the push token).
     * A scan, not a regular expression: it runs for every binding in every REGISTER's answer.
     */
    static String withoutPushParameters(String uri) {
        return rewritePushParameters(uri, (parameter, equals) -> "");
    }

    /** The contact URI for a log line: push tokens ({@code pn-*prid}, {@code pn-tok}) masked to their first six characters. */
    static String forLog(String uri) {
        if (uri == null) {
            return null;
        }
        return rewritePushParameters(uri, (parameter, equals) -> equals > 0 && namesToken(parameter, 4, equals)
                ? parameter.substring(0, equals + 1) + org.sippush.domain.binding.PushSettings.mask(parameter.substring(equals + 1))
                : parameter);
    }

    /** What a {@code ;pn-} parameter becomes: given the parameter (from its {@code ;}) and where its {@code =} is (-1: none). */
    private interface PushParameterRewrite {
        String rewrite(String parameter, int equals);
    }

    private static String rewritePushParameters(String uri, PushParameterRewrite rewrite) {
        int at = nextPushParameter(uri, 0);
        if (at < 0) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri.length());
        int copied = 0;
        while (at >= 0) {
            int end = parameterEnd(uri, at + 1);
            String parameter = uri.substring(at, end);
            out.append(uri, copied, at).append(rewrite.rewrite(parameter, parameter.indexOf('=')));
            copied = end;
            at = nextPushParameter(uri, end);
        }
        return out.append(uri, copied, uri.length()).toString();
    }

    /** Where the next {@code ;pn-} parameter (any case) starts at or after {@code from}, or -1. */
    private static int nextPushParameter(String uri, int from) {
        for (int i = uri.indexOf(';', from); i >= 0; i = uri.indexOf(';', i + 1)) {
            if (uri.regionMatches(true, i + 1, "pn-", 0, 3)) {
                return i;
            }
        }
        return -1;
    }

    /** The end of a URI parameter starting before {@code from}: the next {@code ;}, {@code ?} or {@code >}. */
    private static int parameterEnd(String uri, int from) {
        for (int i = from; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == ';' || c == '?' || c == '>') {
                return i;
            }
        }
        return uri.length();
    }

    /** Whether the parameter name after {@code pn-} is {@code tok} or letters and dashes ending in {@code prid}. */
    private static boolean namesToken(String uri, int from, int to) {
        if (to - from == 3 && uri.regionMatches(true, from, "tok", 0, 3)) {
            return true;
        }
        if (to - from < 4 || !uri.regionMatches(true, to - 4, "prid", 0, 4)) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = uri.charAt(i);
            if (!(c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
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

    /** The first word of a header value, such as the number of a CSeq (no regular expression: it runs for every request and response). */
    static String firstWord(String value) {
        int start = 0;
        while (start < value.length() && Character.isWhitespace(value.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < value.length() && !Character.isWhitespace(value.charAt(end))) {
            end++;
        }
        return value.substring(start, end);
    }
}
