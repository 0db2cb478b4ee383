/** Subscribers: the accounts that may register an address-of-record, with their digest credentials (HA1 only). */
package org.sippush.domain.subscriber;
