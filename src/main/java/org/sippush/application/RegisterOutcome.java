package org.sippush.application;

import java.time.Instant;
import java.util.List;

import org.sippush.domain.binding.Binding;

/** What the registrar answers. */
public sealed interface RegisterOutcome {

    /** 200 OK listing every current binding. */
    record Registered(List<Binding> bindings, Instant now) implements RegisterOutcome {
    }

    /** 423 Interval Too Brief with {@code Min-Expires}. */
    record IntervalTooBrief(int minExpires) implements RegisterOutcome {
    }

    /** A request the registrar refuses; nothing was changed. */
    record Refused(int status, String reason) implements RegisterOutcome {
    }
}
