/** Pushes that wake phones: the message, the provider port, and the three outcomes. */
package org.sippush.domain.push;
