package org.sippush.interfaces.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Optional;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipURI;

import org.sippush.application.RegisterRequest;
import org.sippush.application.RegisterRequest.RequestedContact;
import org.sippush.domain.binding.Contact;
import org.sippush.domain.binding.PushSettings;
import org.sippush.interfaces.sip.push.PushParameterException;
import org.sippush.interfaces.sip.push.PushParameters;

/** Reads a REGISTER into a {@link RegisterRequest}, or says what is wrong with it. */
final class RegisterReader {

    /** PortSIP's push header, and the names older PortSIP servers and SDKs use. */
    static final List<String> X_PUSH_HEADERS = List.of("X-Push", "x-p-push", "portsip-push");

    /** The longest values the binding table holds (V1__bindings.sql); longer ones are refused with 400. */
    static final int MAX_CALL_ID = 255;
    static final int MAX_AOR = 255;
    static final int MAX_USER_AGENT = 255;
    static final int MAX_INSTANCE = 255;
    static final int MAX_CONTACT_URI = 2048;
    static final int MAX_CONTACT_KEY = 1024;
    static final int MAX_PATH = 1000;

    private RegisterReader() {
    }

    private static void checkLength(String what, String value, int max) throws BadRequest {
        if (value != null && value.length() > max) {
            throw new BadRequest(400, what + " longer than " + max + " characters");
        }
    }

    static RegisterRequest read(SipServletRequest request, String aor,
                                java.util.function.Predicate<PushSettings> pushAppConfigured) throws BadRequest {
        rejectUnparsedHeaders(request);
        String callId = request.getCallId();
        checkLength("Call-ID", callId, MAX_CALL_ID);
        checkLength("To address-of-record", aor, MAX_AOR);
        checkLength("User-Agent", request.getHeader("User-Agent"), MAX_USER_AGENT);
        long cseq = cseqNumber(request.getHeader("CSeq"));
        long headerExpires = seconds(request.getHeader("Expires"), "Expires header");
        List<String> xPush = new ArrayList<>();
        for (String name : X_PUSH_HEADERS) {
            for (ListIterator<String> values = request.getHeaders(name); values.hasNext(); ) {
                xPush.add(values.next());
            }
        }
        String received = natSource(request);
        String path = path(request);
        boolean outbound = supports(request, "outbound");
        String userAgent = request.getHeader("User-Agent");

        List<Address> addresses;
        try {
            addresses = toList(request.getAddressHeaders("Contact"));
        } catch (ServletParseException | IllegalArgumentException e) {
            throw new BadRequest(400, "Malformed Contact header");
        }
        boolean wildcard = false;
        List<RequestedContact> contacts = new ArrayList<>();
        for (Address address : addresses) {
            if (address.isWildcard()) {
                wildcard = true;
                continue;
            }
            if (!(address.getURI() instanceof SipURI uri)) {
                throw new BadRequest(400, "Contact must be a sip: or sips: URI");
            }
            PushSettings push;
            try {
                Optional<PushSettings> parsed = PushParameters.fromRegister(xPush, uri.toString());
                push = parsed.orElse(null);
            } catch (PushParameterException e) {
                throw new BadRequest(e.status(), e.reason());
            }
            if (push != null && !pushAppConfigured.test(push)) {
                // RFC 8599 §4.1: 555 tells the phone to register without push (or elsewhere)
                throw new BadRequest(555, "No " + push.provider().wireName() + " credentials for app " + push.appId());
            }
            long expires = seconds(address.getParameter("expires"), "Contact expires parameter");
            String instance = instanceId(address.getParameter("+sip.instance"));
            checkLength("+sip.instance", instance, MAX_INSTANCE);
            checkLength("Contact URI", uri.toString(), MAX_CONTACT_URI);
            String contactKey = SipAddresses.contactKey(uri);
            checkLength("Contact URI's address", contactKey, MAX_CONTACT_KEY);
            // RFC 5626 §6: a phone that asks for outbound is reached over the flow its REGISTER came
            // on (this server is its edge proxy), whatever its Via and Contact say; behind an edge
            // proxy that added a Path, that proxy keeps the flow
            String reach = outbound && path == null && instance != null && address.getParameter("reg-id") != null
                    ? flow(request) : path == null ? received : null;
            Contact contact = new Contact(uri.toString(), contactKey, instance, 0, callId, cseq, reach, path, userAgent, push);
            contacts.add(new RequestedContact(contact, expires));
        }
        if (wildcard && !contacts.isEmpty()) {
            throw new BadRequest(400, "Contact: * must be the only Contact");
        }
        if (contacts.isEmpty() && !wildcard && !xPush.isEmpty()) {
            // A push header without a contact to attach it to is still checked, so that bad input is reported.
            try {
                PushParameters.fromRegister(xPush, "sip:" + aor.substring(4));
            } catch (PushParameterException e) {
                throw new BadRequest(e.status(), e.reason());
            }
        }
        return new RegisterRequest(aor, callId, cseq, wildcard, headerExpires, contacts);
    }

    /**
     * The SIP stack keeps a header it cannot parse as "unrecognized" and drops it from the request
     * (all but From, To, CSeq, Via, Call-ID, Content-Length): a broken Contact or Expires would
     * otherwise look absent, and a REGISTER with a garbled Contact would be taken for a query.
     */
    private static void rejectUnparsedHeaders(SipServletRequest request) throws BadRequest {
        if (!(request instanceof org.mobicents.servlet.sip.message.SipServletMessageImpl impl)
                || !(impl.getMessage() instanceof gov.nist.javax.sip.message.SIPMessage message)) {
            return;
        }
        for (ListIterator<String> unparsed = message.getUnrecognizedHeaders(); unparsed.hasNext(); ) {
            String header = unparsed.next();
            int colon = header.indexOf(':');
            String name = (colon < 0 ? header : header.substring(0, colon)).trim();
            if (name.length() > 30 || !name.chars().allMatch(c -> c > 32 && c < 127)) {
                name = "header";
            }
            throw new BadRequest(400, "Malformed " + name + " header");
        }
    }

    /** Whether the request's Supported header names {@code option} (RFC 3261 §20.37). */
    static boolean supports(SipServletRequest request, String option) {
        for (ListIterator<String> values = request.getHeaders("Supported"); values.hasNext(); ) {
            for (String tag : values.next().split(",")) {
                if (tag.trim().equalsIgnoreCase(option)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The RFC 3327 Path of a REGISTER: the URIs of its Path headers, top first, comma-separated; null
     * without Path. A Path entry must be a SIP URI with {@code lr} (the proxies that add it route
     * loosely, §4).
     */
    static String path(SipServletRequest request) throws BadRequest {
        List<String> uris = new ArrayList<>();
        try {
            for (ListIterator<Address> values = request.getAddressHeaders("Path"); values.hasNext(); ) {
                Address address = values.next();
                if (!(address.getURI() instanceof SipURI uri) || !uri.getLrParam()) {
                    throw new BadRequest(400, "Path must be a SIP URI with lr");
                }
                uris.add(uri.toString());
            }
        } catch (ServletParseException | IllegalArgumentException e) {
            throw new BadRequest(400, "Malformed Path header");
        }
        String path = uris.isEmpty() ? null : String.join(",", uris);
        checkLength("Path", path, MAX_PATH);
        return path;
    }

    /** The flow a request came on ({@code transport:address:port}): RFC 5626 outbound. */
    static String flow(SipServletRequest request) {
        return request.getRemoteAddr() == null ? null
                : request.getTransport().toLowerCase(java.util.Locale.ROOT) + ":" + request.getRemoteAddr() + ":"
                + request.getRemotePort();
    }

    /**
     * The address a phone behind NAT must be reached at ({@code transport:address:port}, RFC 3581
     * {@code received}/{@code rport}), or null when it is not behind NAT. NAT shows in the top Via:
     * the phone wrote an address its packets did not come from (or, over UDP, another port). A
     * REGISTER sent for another device (third-party registration) has its own sender's Via and is
     * not taken for NAT: the Contact is used as it is.
     */
    static String natSource(SipServletRequest request) {
        if (!(request instanceof org.mobicents.servlet.sip.message.SipServletMessageImpl impl)
                || !(impl.getMessage().getHeader(javax.sip.header.ViaHeader.NAME) instanceof javax.sip.header.ViaHeader via)
                || request.getRemoteAddr() == null) {
            return null;
        }
        String transport = request.getTransport().toLowerCase(java.util.Locale.ROOT);
        String source = request.getRemoteAddr();
        int sourcePort = request.getRemotePort();
        String sentBy = via.getHost();
        if (sentBy.startsWith("[") && sentBy.endsWith("]")) {
            sentBy = sentBy.substring(1, sentBy.length() - 1);
        }
        int viaPort = via.getPort() > 0 ? via.getPort() : transport.equals("tls") ? 5061 : 5060;
        boolean nat = !sentBy.equalsIgnoreCase(source) || transport.equals("udp") && viaPort != sourcePort;
        return nat ? transport + ":" + source + ":" + sourcePort : null;
    }

    private static List<Address> toList(ListIterator<Address> iterator) {
        List<Address> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }

    private static long cseqNumber(String cseq) throws BadRequest {
        if (cseq == null) {
            throw new BadRequest(400, "Missing CSeq header");
        }
        String number = SipAddresses.firstWord(cseq);
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "Malformed CSeq header");
        }
    }

    /** A delta-seconds value (RFC 3261 §25.1), or -1 when absent. */
    private static long seconds(String value, String what) throws BadRequest {
        if (value == null) {
            return -1;
        }
        String trimmed = value.trim();
        if (trimmed.isEmpty() || trimmed.length() > 10 || !trimmed.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadRequest(400, "Malformed " + what + ": must be delta-seconds");
        }
        return Long.parseLong(trimmed);
    }

    /** {@code "<urn:uuid:...>"} → {@code urn:uuid:...}. */
    private static String instanceId(String raw) {
        if (raw == null) {
            return null;
        }
        String value = raw.trim();
        if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.startsWith("<") && value.endsWith(">")) {
            value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
    }
}
