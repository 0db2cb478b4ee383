/**
 * The APNs provider: {@link org.sippush.infrastructure.push.apns.ApnsGateway} translates
 * {@link org.sippush.domain.push.PushMessage}s into pushy notifications and pushy's answers into
 * {@link org.sippush.domain.push.PushOutcome}s. No pushy type leaves this package.
 */
package org.sippush.infrastructure.push.apns;
