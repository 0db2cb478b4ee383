package org.sippush.application;

/**
 * The expiry limits of the registrar, in seconds (RFC 3261 §10.3 step 7).
 *
 * @param minExpires     a non-zero expiry below this gets 423 Interval Too Brief
 * @param maxExpires     a longer expiry is shortened to this
 * @param defaultExpires used when neither the contact nor the request names an expiry
 */
public record RegistrarPolicy(int minExpires, int maxExpires, int defaultExpires) {
    public RegistrarPolicy {
        if (minExpires < 1 || maxExpires < minExpires || defaultExpires < minExpires || defaultExpires > maxExpires) {
            throw new IllegalArgumentException("Registrar expiries must satisfy 1 <= min (" + minExpires
                    + ") <= default (" + defaultExpires + ") <= max (" + maxExpires + ")");
        }
    }
}
