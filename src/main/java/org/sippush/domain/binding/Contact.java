package org.sippush.domain.binding;

import java.util.Objects;

/**
 * One Contact of a REGISTER, read and validated: what a binding is made from.
 *
 * @param uri        the contact URI as sent
 * @param key        the parts of the URI that identify it (see {@link Binding})
 * @param instanceId RFC 5626 {@code +sip.instance}, or null
 * @param expires    granted expiry in seconds (0 removes the binding)
 * @param callId     Call-ID of the REGISTER
 * @param cseq       CSeq number of the REGISTER
 * @param received   for a phone behind NAT (RFC 3581): transport, address and port its REGISTER came from,
 *                   where requests to it must go; null when the REGISTER showed no NAT. For a phone that asked for
 *                   outbound (RFC 5626: {@code Supported: outbound}, {@code reg-id} and {@code +sip.instance}),
 *                   the flow its REGISTER came on, always
 * @param path       RFC 3327 Path of the REGISTER: the proxies between the phone and this server, top first,
 *                   as comma-separated SIP URIs that requests to the contact are loose-routed through; or null
 * @param userAgent  the User-Agent header, or null
 * @param push       push settings, or null when the contact carries none
 */
public record Contact(String uri, String key, String instanceId, long expires, String callId, long cseq,
                      String received, String path, String userAgent, PushSettings push) {
    public Contact {
        Objects.requireNonNull(uri, "uri must not be null");
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(callId, "callId must not be null");
        if (expires < 0) {
            throw new IllegalArgumentException("expires must not be negative: " + expires);
        }
    }

    public Contact withExpires(long seconds) {
        return new Contact(uri, key, instanceId, seconds, callId, cseq, received, path, userAgent, push);
    }
}
