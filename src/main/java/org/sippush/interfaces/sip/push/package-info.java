/**
 * Parsers that turn the push parameters of a SIP REGISTER (PortSIP X-Push, RFC 8599, Linphone legacy) into
 * {@link org.sippush.domain.binding.PushSettings}.
 */
package org.sippush.interfaces.sip.push;
