/**
 * A call's whole life while the callee's phones are woken: one state machine per held call
 * ({@link org.sippush.application.call.HeldCall}). Each event is a method that changes its state
 * and returns the {@link org.sippush.application.call.CallAction}s the SIP layer carries out; it
 * knows nothing of SIP Servlets, so it is tested with plain tables of event sequences.
 */
package org.sippush.application.call;
