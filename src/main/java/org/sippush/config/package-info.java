/**
 * The server's settings: {@link org.sippush.config.SettingCatalogue} lists every key once (default,
 * secret or not, per app or not); {@link org.sippush.config.Settings} resolves each from a
 * {@code SIPPUSH_*} environment variable, a {@code -Dsippush.*} system property, the settings file or
 * the default, remembers where it came from, and reports every name that is no setting. Used by the
 * launcher (before Tomcat starts) and by the application (when it is deployed).
 */
package org.sippush.config;
