/**
 * Instant messages (RFC 3428) kept for sleeping phones: the stored message, the devices still
 * waiting for it, and the port of the store that keeps them.
 */
package org.sippush.domain.message;
