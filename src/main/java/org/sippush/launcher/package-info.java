/**
 * The standalone container's launcher: resolves the settings, refuses settings that would expose
 * the server (admin console off loopback with the shipped password, a TLS keystore that cannot be
 * opened), publishes them as {@code sippush.*} system properties and starts Tomcat; and
 * {@link org.sippush.launcher.ContainerSetup}, which {@code conf/server.xml} runs on the SIP service.
 * These classes live on the container's class path ({@code lib/sip-push-server-launcher.jar}), not
 * in the application.
 */
package org.sippush.launcher;
