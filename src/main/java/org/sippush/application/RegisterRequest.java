package org.sippush.application;

import java.util.List;
import java.util.Objects;

import org.sippush.domain.binding.Contact;

/**
 * A REGISTER, read from the wire and checked for syntax.
 *
 * @param aor           the address-of-record (from the To header), normalised
 * @param callId        Call-ID
 * @param cseq          CSeq number
 * @param wildcard      {@code Contact: *}
 * @param headerExpires the Expires header, or -1 when absent
 * @param contacts      the contacts; each with the expiry it asked for ({@code -1} when it named none)
 */
public record RegisterRequest(String aor, String callId, long cseq, boolean wildcard, long headerExpires,
                              List<RequestedContact> contacts) {
    public RegisterRequest {
        Objects.requireNonNull(aor, "aor must not be null");
        Objects.requireNonNull(callId, "callId must not be null");
        contacts = List.copyOf(contacts);
    }

    /** A contact and the expiry it asked for in its own {@code expires} parameter (-1: none). */
    public record RequestedContact(Contact contact, long requestedExpires) {
    }
}
