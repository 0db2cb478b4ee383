/**
 * The FCM provider: {@link org.sippush.infrastructure.push.fcm.FcmGateway} translates
 * {@link org.sippush.domain.push.PushMessage}s into Firebase Cloud Messaging HTTP v1 messages (through
 * firebase-admin) and FCM's answers into {@link org.sippush.domain.push.PushOutcome}s. No Firebase type
 * leaves this package.
 */
package org.sippush.infrastructure.push.fcm;
