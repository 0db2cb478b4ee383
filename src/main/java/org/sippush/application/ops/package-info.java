/**
 * What an operator sees of the running server: held calls now, the last push outcomes, a user's
 * bindings, as immutable snapshots; and the observations the metrics are made of.
 */
package org.sippush.application.ops;
