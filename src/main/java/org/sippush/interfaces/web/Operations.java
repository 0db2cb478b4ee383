package org.sippush.interfaces.web;

import java.util.Objects;

import org.sippush.application.Services;
import org.sippush.application.ops.UserLookup;
import org.sippush.infrastructure.metrics.ServerMetrics;
import org.sippush.infrastructure.persistence.DatabaseProbe;
import org.sippush.infrastructure.persistence.JpaBindingRepository;

/**
 * What the operator pages, {@code /health} and {@code /metrics} read, built by the lifecycle
 * listener beside {@link Services} (servlet context attribute {@link #ATTRIBUTE}).
 *
 * @param services the application's services (calls, pushes, bindings)
 * @param users    finds a user's bindings
 * @param metrics  the Prometheus registry of this deployment
 * @param database asks the database within a bound
 * @param store    the binding store (its write counters)
 */
record Operations(Services services, UserLookup users, ServerMetrics metrics, DatabaseProbe database,
                  JpaBindingRepository store) {

    static final String ATTRIBUTE = Operations.class.getName();

    Operations {
        Objects.requireNonNull(services, "services must not be null");
        Objects.requireNonNull(users, "users must not be null");
        Objects.requireNonNull(metrics, "metrics must not be null");
        Objects.requireNonNull(database, "database must not be null");
        Objects.requireNonNull(store, "store must not be null");
    }

    static Operations of(javax.servlet.ServletContext context) {
        return (Operations) context.getAttribute(ATTRIBUTE);
    }
}
