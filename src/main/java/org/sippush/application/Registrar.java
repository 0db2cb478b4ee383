package org.sippush.application;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.sippush.application.RegisterOutcome.IntervalTooBrief;
import org.sippush.application.RegisterOutcome.Refused;
import org.sippush.application.RegisterOutcome.Registered;
import org.sippush.application.RegisterRequest.RequestedContact;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.BindingRepository;
import org.sippush.domain.binding.BindingRepository.AorBindings;
import org.sippush.domain.binding.Contact;

/**
 * The registrar's rules (RFC 3261 §10.3 steps 6 to 8, RFC 8599 §5 and RFC 5626 §6 for matching a
 * device that comes back from a new address). All changes of one REGISTER are applied together or
 * not at all.
 */
public final class Registrar {

    private final BindingRepository repository;
    private final RegistrarPolicy policy;
    private final Clock clock;

    public Registrar(BindingRepository repository, RegistrarPolicy policy, Clock clock) {
        this.repository = Objects.requireNonNull(repository, "repository must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    public RegistrarPolicy policy() {
        return policy;
    }

    public RegisterOutcome register(RegisterRequest request) {
        Decision decision = decide(request);
        return decision.refused() ? decision.refusal() : apply(request, decision.granted());
    }

    /**
     * The checks that need no stored state (RFC 3261 §10.3 steps 6 and 7 up to the binding lookup):
     * a refusal ({@link Refused}, {@link IntervalTooBrief}), or the contacts with the expiry each
     * is granted. A phone that passes them can be given its held calls before its bindings are
     * written ({@link #apply}).
     */
    public Decision decide(RegisterRequest request) {
        if (request.wildcard() && (request.headerExpires() != 0 || !request.contacts().isEmpty())) {
            return new Decision(new Refused(400, "Contact: * needs Expires: 0 and no other Contact"), List.of());
        }
        List<Contact> granted = new ArrayList<>();
        for (RequestedContact requested : request.contacts()) {
            long asked = requested.requestedExpires() >= 0 ? requested.requestedExpires()
                    : request.headerExpires() >= 0 ? request.headerExpires() : policy.defaultExpires();
            if (asked > 0 && asked < policy.minExpires()) {
                return new Decision(new IntervalTooBrief(policy.minExpires()), List.of());
            }
            granted.add(requested.contact().withExpires(Math.min(asked, policy.maxExpires())));
        }
        return new Decision(null, granted);
    }

    /**
     * What {@link #decide} found: a refusal, or the contacts with their granted expiry (0: removal).
     *
     * @param refusal the answer when the request is refused, else null
     * @param granted the contacts to apply when it is not
     */
    public record Decision(RegisterOutcome refusal, List<Contact> granted) {
        public Decision {
            granted = List.copyOf(granted);
        }

        public boolean refused() {
            return refusal != null;
        }
    }

    /** Writes what {@link #decide} granted, in one transaction; the answer lists every live binding. */
    public RegisterOutcome apply(RegisterRequest request, List<Contact> granted) {
        Instant now = clock.instant();
        if (!request.wildcard() && request.contacts().isEmpty()) {
            return new Registered(repository.live(request.aor(), now), now);
        }
        try {
            List<Binding> current = repository.update(request.aor(), now, bindings -> {
                if (request.wildcard()) {
                    removeAll(bindings, request);
                } else {
                    int before = bindings.live().size();
                    for (Contact contact : granted) {
                        apply(bindings, request.aor(), contact, now);
                    }
                    int after = bindings.live().size();
                    if (after > policy.maxContacts() && after > before) {
                        throw new TooManyContacts(policy.maxContacts());
                    }
                }
                return List.copyOf(bindings.live());
            });
            return new Registered(current, now);
        } catch (OutOfOrder e) {
            return new Refused(400, e.getMessage());
        } catch (TooManyContacts e) {
            return new Refused(403, e.getMessage());
        }
    }

    private static void removeAll(AorBindings bindings, RegisterRequest request) {
        for (Binding binding : List.copyOf(bindings.live())) {
            checkOrder(binding, request.callId(), request.cseq());
            bindings.remove(binding);
        }
    }

    private static void apply(AorBindings bindings, String aor, Contact contact, Instant now) {
        List<Binding> same = sameDevice(bindings.live(), contact);
        if (same.isEmpty()) {
            if (contact.expires() > 0) {
                bindings.add(new Binding(aor, contact, now));
            }
            return;
        }
        Binding primary = same.get(0);
        checkOrder(primary, contact.callId(), contact.cseq());
        // The other matches are earlier registrations of the same device from other addresses.
        for (Binding stale : same.subList(1, same.size())) {
            bindings.remove(stale);
        }
        if (contact.expires() == 0) {
            bindings.remove(primary);
        } else {
            primary.refresh(contact, now);
        }
    }

    /**
     * The bindings that belong to the same device as {@code contact}, best match first: the same
     * {@code +sip.instance}, then the same contact URI, then the same push identity (RFC 8599
     * §4.1.1: a woken phone re-registers from a new address with the same pn-* values).
     */
    static List<Binding> sameDevice(List<Binding> live, Contact contact) {
        List<Binding> matches = new ArrayList<>();
        String identity = contact.push() == null ? null : contact.push().identityKey();
        for (int rank = 0; rank < 3; rank++) {
            for (Binding binding : live) {
                boolean match = switch (rank) {
                    case 0 -> contact.instanceId() != null && contact.instanceId().equals(binding.instanceId());
                    case 1 -> contact.key().equals(binding.contactKey());
                    default -> identity != null && identity.equals(binding.pushIdentity());
                };
                if (match && !matches.contains(binding)) {
                    matches.add(binding);
                }
            }
        }
        return matches;
    }

    /** RFC 3261 §10.3 step 7: within one Call-ID, a REGISTER must carry a higher CSeq than the binding. */
    private static void checkOrder(Binding binding, String callId, long cseq) {
        if (binding.callId().equals(callId) && cseq <= binding.cseq()) {
            throw new OutOfOrder("CSeq " + cseq + " is not higher than the binding's " + binding.cseq()
                    + " for this Call-ID");
        }
    }

    /** Aborts the unit of work: the address-of-record would have more contacts than allowed; nothing changes. */
    static final class TooManyContacts extends RuntimeException {
        TooManyContacts(int max) {
            super("Too many contacts for this address-of-record (at most " + max + ")", null, false, false);
        }
    }

    /** Aborts the unit of work: the request is out of order and changes nothing. */
    static final class OutOfOrder extends RuntimeException {
        OutOfOrder(String message) {
            super(message, null, false, false);
        }
    }
}
