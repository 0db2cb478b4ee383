/**
 * Instant messages to sleeping phones (RFC 3428): which MESSAGE is proxied, refused or stored, for
 * which devices, what each sleeping device is pushed, and the delivery of stored messages one at a
 * time when a device registers. It knows nothing of SIP Servlets; the store is the domain's
 * {@link org.sippush.domain.message.MessageStore}.
 */
package org.sippush.application.message;
