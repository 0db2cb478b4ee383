/** Registrations: bindings of an address-of-record to contacts, with the push settings of each phone. */
package org.sippush.domain.binding;
