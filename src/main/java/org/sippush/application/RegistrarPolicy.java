package org.sippush.application;

/**
 * The expiry limits of the registrar, in seconds (RFC 3261 §10.3 step 7).
 *
 * @param minExpires     a non-zero expiry below this gets 423 Interval Too Brief
 * @param maxExpires     a longer expiry is shortened to this
 * @param defaultExpires used when neither the contact nor the request names an expiry
 * @param maxContacts    most live contacts of one address-of-record (a REGISTER adding more gets 403)
 */
public record RegistrarPolicy(int minExpires, int maxExpires, int defaultExpires, int maxContacts) {

    /** The default cap on contacts per address-of-record. */
    public static final int DEFAULT_MAX_CONTACTS = 10;

    public RegistrarPolicy(int minExpires, int maxExpires, int defaultExpires) {
        this(minExpires, maxExpires, defaultExpires, DEFAULT_MAX_CONTACTS);
    }

    public RegistrarPolicy {
        if (maxContacts < 1) {
            throw new IllegalArgumentException("limits.contacts-per-aor must be at least 1, not " + maxContacts);
        }
        if (minExpires < 1 || maxExpires < minExpires || defaultExpires < minExpires || defaultExpires > maxExpires) {
            throw new IllegalArgumentException("Registrar expiries must satisfy 1 <= min (" + minExpires
                    + ") <= default (" + defaultExpires + ") <= max (" + maxExpires + ")");
        }
    }
}
