/**
 * Who may use the server: subscribers and their provisioning, digest authentication (RFC 3261 §22,
 * RFC 7616, RFC 8760), trusted peers, and the limits that keep one source or one phone from
 * taking the server down.
 */
package org.sippush.application.auth;
