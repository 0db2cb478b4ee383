package org.sippush.application.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.sippush.domain.binding.BindingRepository;

/** Finds a user's bindings by user name (in every domain served) or by address-of-record. */
public final class UserLookup {

    private final BindingRepository bindings;
    private final List<String> domains;
    private final Clock clock;

    public UserLookup(BindingRepository bindings, List<String> domains, Clock clock) {
        this.bindings = bindings;
        this.domains = List.copyOf(domains);
        this.clock = clock;
    }

    /** A user and the live bindings found for it. */
    public record UserBindings(String aor, List<BindingView> bindings) {
        public UserBindings {
            bindings = List.copyOf(bindings);
        }
    }

    /**
     * The addresses-of-record {@code query} names: {@code alice} is alice in every domain served;
     * {@code alice@example.com} or {@code sip:alice@example.com} is that one. Only users that ever
     * registered are returned.
     */
    public List<UserBindings> find(String query) {
        Instant now = clock.instant();
        List<UserBindings> found = new ArrayList<>();
        for (String aor : candidates(query)) {
            if (bindings.isKnown(aor)) {
                found.add(new UserBindings(aor, bindings.live(aor, now).stream().map(BindingView::of).toList()));
            }
        }
        return found;
    }

    static Set<String> candidates(String query, List<String> domains) {
        Set<String> aors = new LinkedHashSet<>();
        String q = query == null ? "" : query.trim();
        if (q.regionMatches(true, 0, "sip:", 0, 4)) {
            q = q.substring(4);
        }
        if (q.isEmpty()) {
            return aors;
        }
        int at = q.indexOf('@');
        if (at > 0) {
            aors.add("sip:" + q.substring(0, at) + "@" + q.substring(at + 1).toLowerCase(Locale.ROOT));
        } else {
            for (String domain : domains) {
                aors.add("sip:" + q + "@" + domain);
            }
        }
        return aors;
    }

    private Set<String> candidates(String query) {
        return candidates(query, domains);
    }
}
